import { randomUUID } from 'node:crypto';
import { call, tokenFor } from './api';

/** Catalog set-up for podcast tests: a publisher's token, shows and episodes. */
export const publisher = () => tokenFor('publisher', { scopes: ['catalog:write'] });

export async function createShow(title = 'Morning Edition'): Promise<string> {
  const showId = randomUUID();
  const response = await call('PUT', `/v1/catalog/shows/${showId}`, { token: await publisher(), body: { title } });
  if (response.status !== 200) throw new Error(`could not create show: ${response.status} ${response.text}`);
  return showId;
}

export interface EpisodeFields {
  title?: string;
  publishedAt?: string;
  durationSeconds?: number;
  description?: string;
}

export const episodeBody = (episodeId: string, fields: EpisodeFields = {}) => ({
  title: fields.title ?? `Episode ${episodeId.slice(0, 8)}`,
  audioUrl: `https://cdn.example.org/audio/${episodeId}.mp3`,
  contentType: 'audio/mpeg',
  durationSeconds: fields.durationSeconds ?? 1800,
  publishedAt: fields.publishedAt ?? new Date().toISOString(),
  ...(fields.description === undefined ? {} : { description: fields.description }),
});

export async function putEpisode(showId: string, episodeId: string, fields: EpisodeFields = {}): Promise<Record<string, unknown>> {
  const response = await call('PUT', `/v1/catalog/shows/${showId}/episodes/${episodeId}`, { token: await publisher(), body: episodeBody(episodeId, fields) });
  if (response.status !== 200) throw new Error(`could not put episode: ${response.status} ${response.text}`);
  return response.json as Record<string, unknown>;
}

/** Creates `count` episodes published one minute apart, the newest `newestMinutesAgo` minutes ago; returns ids newest first. */
export async function createEpisodes(showId: string, count: number, newestMinutesAgo = 1): Promise<string[]> {
  const ids = Array.from({ length: count }, () => randomUUID());
  await Promise.all(
    ids.map((episodeId, i) => putEpisode(showId, episodeId, { publishedAt: new Date(Date.now() - (newestMinutesAgo + i) * 60_000).toISOString() })),
  );
  return ids;
}
