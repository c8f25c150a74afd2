import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { call, newUserId, tokenFor } from '../support/api';
import { createEpisodes, createShow, episodeBody, publisher, putEpisode } from '../support/podcasts';

interface Episode {
  episodeId: string;
  showId: string;
  title: string;
  publishedAt: string;
  updatedAt: string;
  deletedAt?: string;
}

async function listAll(token: string, showId: string, limit: number): Promise<Episode[]> {
  const episodes: Episode[] = [];
  let path: string | undefined = `/v1/catalog/shows/${showId}/episodes?limit=${limit}`;
  while (path !== undefined) {
    const response = await call('GET', path, { token });
    expect(response.status).toBe(200);
    const page = response.json as Episode[];
    expect(page.length).toBeLessThanOrEqual(limit);
    episodes.push(...page);
    path = /<([^>]+)>; rel="next"/.exec(response.headers.get('link') ?? '')?.[1];
  }
  return episodes;
}

describe('catalog episodes', () => {
  it('creates, reads, replaces and unpublishes an episode; writes need catalog:write', async () => {
    const token = await publisher();
    const showId = await createShow();
    const episodeId = randomUUID();
    const body = { ...episodeBody(episodeId), publishedAt: '2026-11-01T08:00:00+01:00', description: 'Notes' };
    const created = await call('PUT', `/v1/catalog/shows/${showId}/episodes/${episodeId.toUpperCase()}`, { token, body });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({ episodeId, showId, publishedAt: '2026-11-01T07:00:00.000Z', description: 'Notes', contentType: 'audio/mpeg' });
    const viewer = await tokenFor(newUserId());
    expect((await call('GET', `/v1/catalog/shows/${showId}/episodes/${episodeId}`, { token: viewer })).json).toEqual(created.json);
    expect((await call('PUT', `/v1/catalog/shows/${showId}/episodes/${episodeId}`, { token: viewer, body })).status).toBe(403);
    expect((await call('DELETE', `/v1/catalog/shows/${showId}/episodes/${episodeId}`, { token: viewer })).status).toBe(403);

    const replaced = await call('PUT', `/v1/catalog/shows/${showId}/episodes/${episodeId}`, { token, body: { ...body, title: 'Fixed title', description: undefined } });
    expect(replaced.json).toMatchObject({ title: 'Fixed title', createdAt: (created.json as Episode & { createdAt: string }).createdAt });
    expect(replaced.json).not.toHaveProperty('description');
    expect((replaced.json as Episode).updatedAt >= (created.json as Episode).updatedAt).toBe(true);

    const deleted = await call('DELETE', `/v1/catalog/shows/${showId}/episodes/${episodeId}`, { token });
    expect(deleted.status).toBe(200);
    expect((deleted.json as Episode).deletedAt).toBeTypeOf('string');
    const again = await call('DELETE', `/v1/catalog/shows/${showId}/episodes/${episodeId}`, { token });
    expect((again.json as Episode).deletedAt).toBe((deleted.json as Episode).deletedAt);
    expect((await call('GET', `/v1/catalog/shows/${showId}/episodes/${episodeId}`, { token: viewer })).json).toMatchObject({ deletedAt: expect.any(String) });
    expect(await listAll(viewer, showId, 10)).toEqual([]);

    const republished = await call('PUT', `/v1/catalog/shows/${showId}/episodes/${episodeId}`, { token, body });
    expect(republished.json).not.toHaveProperty('deletedAt');
    expect((await listAll(viewer, showId, 10)).map((e) => e.episodeId)).toEqual([episodeId]);
  });

  it('refuses an episode of an unknown or deleted show, and an episode id another show already uses', async () => {
    const token = await publisher();
    const episodeId = randomUUID();
    const unknown = await call('PUT', `/v1/catalog/shows/${randomUUID()}/episodes/${episodeId}`, { token, body: episodeBody(episodeId) });
    expect(unknown.status).toBe(404);
    expect((unknown.json as { type: string }).type).toBe('urn:playhead:problem:show-not-found');

    const [first, second] = await Promise.all([createShow('First'), createShow('Second')]);
    await putEpisode(first, episodeId);
    const moved = await call('PUT', `/v1/catalog/shows/${second}/episodes/${episodeId}`, { token, body: episodeBody(episodeId, { title: 'Stolen' }) });
    expect(moved.status).toBe(409);
    expect((moved.json as { type: string }).type).toBe('urn:playhead:problem:episode-in-other-show');
    expect((await call('GET', `/v1/catalog/shows/${first}/episodes/${episodeId}`, { token })).json).toMatchObject({ showId: first, title: expect.not.stringMatching('Stolen') });
    // The same episode through the other show's path is not found, to read or to delete.
    expect((await call('GET', `/v1/catalog/shows/${second}/episodes/${episodeId}`, { token })).status).toBe(404);
    expect((await call('DELETE', `/v1/catalog/shows/${second}/episodes/${episodeId}`, { token })).status).toBe(404);
    expect((await call('GET', `/v1/catalog/shows/${first}/episodes/${episodeId}`, { token })).json).not.toHaveProperty('deletedAt');

    await call('DELETE', `/v1/catalog/shows/${second}`, { token });
    expect((await call('PUT', `/v1/catalog/shows/${second}/episodes/${randomUUID()}`, { token, body: episodeBody(randomUUID()) })).status).toBe(404);
  });

  it('lists published episodes newest first, paged; scheduled and unpublished ones are left out', async () => {
    const showId = await createShow();
    const ids = await createEpisodes(showId, 7);
    const scheduled = randomUUID();
    await putEpisode(showId, scheduled, { publishedAt: new Date(Date.now() + 3_600_000).toISOString() });
    await call('DELETE', `/v1/catalog/shows/${showId}/episodes/${ids[3]}`, { token: await publisher() });
    const viewer = await tokenFor(newUserId());
    const listed = await listAll(viewer, showId, 2);
    expect(listed.map((e) => e.episodeId)).toEqual(ids.filter((_, i) => i !== 3));
    expect((await call('GET', `/v1/catalog/shows/${randomUUID()}/episodes`, { token: viewer })).status).toBe(404);
  });

  it('rejects bad fields, naming each', async () => {
    const token = await publisher();
    const showId = await createShow();
    const episodeId = randomUUID();
    const bad = { title: '', audioUrl: 'http://cdn.example.org/a.mp3', contentType: 'text/html', durationSeconds: 0, publishedAt: 'yesterday' };
    const response = await call('PUT', `/v1/catalog/shows/${showId}/episodes/${episodeId}`, { token, body: bad });
    expect(response.status).toBe(400);
    const fields = (response.json as { errors: { field: string }[] }).errors.map((e) => e.field).sort();
    expect(fields).toEqual(['body.audioUrl', 'body.contentType', 'body.durationSeconds', 'body.publishedAt', 'body.title']);
    expect((await call('GET', `/v1/catalog/shows/${showId}/episodes/${episodeId}`, { token })).status).toBe(404);
  });
});
