import * as z from 'zod';
import { tableName } from '../shared/dynamo';
import { INDEX, queryPage, whenConditionHolds } from '../shared/table-access';
import { MAX_DURATION_SECONDS, MAX_TITLE_LENGTH } from './asset-schemas';
import { EPISODE_ENTITY, episodeKind } from './catalog-kinds';
import { getCatalogItem, putCatalogItem, softDeleteCatalogItem } from './catalog-item-store';
import { MAX_DESCRIPTION_LENGTH } from './show-store';

/**
 * An episode of a show: `EPISODE#<id>` / `EPISODE`. Episode ids are unique across shows, so a
 * queue entry names an episode by its id alone. A published (not deleted) episode is also in
 * the index under its show (`SHOW#<showId>#EPISODES` / `<publishedAt>#<episodeId>`), which is
 * how lists and fetches find the newest; this module is the one place that knows that format.
 */
export { EPISODE_ENTITY, episodeKind } from './catalog-kinds';

const showEpisodesIndexKey = (showId: string) => `SHOW#${showId}#EPISODES`;
/** ISO-8601 UTC timestamps of one format sort as text in time order. */
const publishedSortKey = (publishedAt: string, episodeId: string) => `${publishedAt}#${episodeId}`;

export const episodeItemSchema = z.object({
  entity: z.literal(EPISODE_ENTITY),
  episodeId: z.string(),
  showId: z.string(),
  title: z.string(),
  description: z.string().optional(),
  audioUrl: z.string(),
  contentType: z.string(),
  durationSeconds: z.number().int(),
  publishedAt: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  deletedAt: z.string().optional(),
});

export type Episode = Omit<z.infer<typeof episodeItemSchema>, 'entity'>;

export const episodeWriteSchema = z.strictObject({
  title: z.string().trim().min(1).max(MAX_TITLE_LENGTH),
  description: z.string().max(MAX_DESCRIPTION_LENGTH).optional(),
  audioUrl: z.url({ protocol: /^https$/, message: 'must be an https URL' }).max(2048),
  contentType: z.string().regex(/^(audio|video)\/[a-z0-9.+-]{1,60}$/, 'must be an audio/* or video/* media type'),
  durationSeconds: z.number().int().min(1).max(MAX_DURATION_SECONDS),
  publishedAt: z.iso.datetime({ offset: true }).transform((at) => new Date(at).toISOString()),
});

export type EpisodeWrite = z.infer<typeof episodeWriteSchema>;

export function episodeFromItem(item: Record<string, unknown>): Episode {
  const { entity: _entity, ...episode } = episodeItemSchema.parse(item);
  return episode;
}

/** `consistent` when a copy is taken from it (a queue entry), so an edit just made is never missed. */
export async function getEpisode(episodeId: string, consistent = false): Promise<Episode | undefined> {
  const item = await getCatalogItem(episodeKind, episodeId, consistent);
  return item ? episodeFromItem(item) : undefined;
}

/**
 * Creates, replaces or republishes an episode. An episode id already used by another show is
 * refused (`in-other-show`, nothing written): moving episodes between shows would leave queue
 * copies pointing at the wrong show.
 */
export async function putEpisode(showId: string, episodeId: string, write: EpisodeWrite, now: string): Promise<Episode | 'in-other-show'> {
  const fields = { ...write, showId, [INDEX.partitionKey]: showEpisodesIndexKey(showId), [INDEX.sortKey]: publishedSortKey(write.publishedAt, episodeId) };
  const item = await whenConditionHolds(putCatalogItem(episodeKind, episodeId, fields, ['description'], now, { expression: 'showId = :showId', values: { ':showId': showId } }));
  return item === undefined ? 'in-other-show' : episodeFromItem(item);
}

export async function softDeleteEpisode(episodeId: string, now: string): Promise<Episode | undefined> {
  const item = await softDeleteCatalogItem(episodeKind, episodeId, now);
  return item ? episodeFromItem(item) : undefined;
}

export interface EpisodePage {
  episodes: Episode[];
  /** Where the next page starts, when more remain. */
  after: string | undefined;
}

/**
 * A show's published episodes, newest first: those not deleted and published by `now`.
 * `after` is the index sort key of the last episode of the previous page; `newerThan`, the
 * sort key below which nothing is wanted (the user's fetch position).
 */
export async function listPublishedEpisodes(
  showId: string,
  now: string,
  limit: number,
  options: { after?: string | undefined; newerThan?: string | undefined } = {},
): Promise<EpisodePage> {
  // `~` sorts after every id character, so episodes published exactly at `now` are included.
  const upper = options.after ?? `${now}#~`;
  // A position later than now (clocks of two machines a moment apart) leaves nothing to find.
  if (options.newerThan !== undefined && options.newerThan >= upper) return { episodes: [], after: undefined };
  const page = await queryPage(
    {
      TableName: tableName,
      IndexName: INDEX.name,
      KeyConditionExpression: options.newerThan === undefined ? '#pk = :pk AND #sk < :upper' : '#pk = :pk AND #sk BETWEEN :lower AND :upper',
      ExpressionAttributeNames: { '#pk': INDEX.partitionKey, '#sk': INDEX.sortKey },
      ExpressionAttributeValues: { ':pk': showEpisodesIndexKey(showId), ':upper': upper, ...(options.newerThan === undefined ? {} : { ':lower': options.newerThan }) },
      ScanIndexForward: false,
    },
    limit,
    undefined,
    // BETWEEN includes both ends, which were handed out or listed already.
    { keep: (item) => item[INDEX.sortKey] !== options.newerThan && item[INDEX.sortKey] !== options.after, slack: 2 },
  );
  return { episodes: page.items.map(episodeFromItem), after: page.more ? (page.items.at(-1)?.[INDEX.sortKey] as string) : undefined };
}

export const episodeSortKeyOf = (episode: Pick<Episode, 'publishedAt' | 'episodeId'>): string => publishedSortKey(episode.publishedAt, episode.episodeId);

/** A list cursor's content: an index sort key this module wrote. */
export const isEpisodeSortKey = (value: string): boolean => /^\d{4}-\d\d-\d\dT[0-9:.]+Z#[0-9a-f-]{36}$/.test(value);
