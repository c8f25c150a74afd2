import { GetCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { WriteItem } from '../shared/atomic-writes';
import { documentClient, tableName } from '../shared/dynamo';
import { batchGetItems, INDEX, queryPage, RETRY, retryOptimistic } from '../shared/table-access';
import { MAX_DURATION_SECONDS, MAX_TITLE_LENGTH } from './asset-schemas';
import { catalogKey, EPISODE_ENTITY, episodeKind } from './catalog-kinds';
import { catalogItemUpdate, getCatalogItem, softDeleteCatalogItem, writeCatalogItemWith } from './catalog-item-store';
import { EPISODE_GUID_LOOKUP_ENTITY, EPISODE_URL_LOOKUP_ENTITY, episodeGuidLookupKey, episodeUrlLookupKey, episodeUrlLookupPartition } from './catalog-lookups';
import { feedUrlKey, normalizeFeedUrl } from './feed-url';
import { MAX_DESCRIPTION_LENGTH } from './show-store';

/**
 * An episode of a show: `EPISODE#<id>` / `EPISODE`. Episode ids are unique across shows, so a
 * queue entry names an episode by its id alone. A published (not deleted) episode is also in
 * the index under its show (`SHOW#<showId>#EPISODES` / `<publishedAt>#<episodeId>`), which is
 * how lists and fetches find the newest; this module is the one place that knows that format.
 * Its look-up items (by guid, unique in the show, and by enclosure URL; catalog-lookups.ts) are
 * written, moved and deleted in the same transaction as the episode.
 */
export { EPISODE_ENTITY, episodeKind } from './catalog-kinds';

const showEpisodesIndexKey = (showId: string) => `SHOW#${showId}#EPISODES`;
/** Most feeds' guids are URLs or UUIDs; RSS sets no limit. */
export const MAX_GUID_LENGTH = 1024;
/** ISO-8601 UTC timestamps of one format sort as text in time order. */
const publishedSortKey = (publishedAt: string, episodeId: string) => `${publishedAt}#${episodeId}`;

export const episodeItemSchema = z.object({
  entity: z.literal(EPISODE_ENTITY),
  episodeId: z.string(),
  showId: z.string(),
  title: z.string(),
  description: z.string().optional(),
  audioUrl: z.string(),
  guid: z.string().optional(),
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
  /** The feed item's `<guid>`, as the feed has it: podcast apps identify the episode by it. */
  guid: z.string().trim().min(1).max(MAX_GUID_LENGTH).optional(),
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

/** The enclosure URL's key for look-ups (an https URL always normalizes). */
const audioUrlKey = (audioUrl: string): string => feedUrlKey(normalizeFeedUrl(audioUrl) ?? audioUrl);
/** Each round lets one of two publishers' concurrent writes of the episode through. */
const PUT_ATTEMPTS = 6;

export type PutEpisodeOutcome = Episode | 'in-other-show' | { taken: 'guid-taken'; holder: string };

/**
 * Creates, replaces or republishes an episode, in one transaction with its look-up items: the
 * guid's claimed when new, released when it changes or goes (`guid-taken`, nothing written, when
 * another episode of the show has it); the enclosure URL's moved when the URL changes. An
 * episode id already used by another show is refused (`in-other-show`, nothing written):
 * moving episodes between shows would leave queue copies pointing at the wrong show. The
 * episode is read first and written on condition that its guid and URL are still the ones read.
 */
export async function putEpisode(showId: string, episodeId: string, write: EpisodeWrite, now: string): Promise<PutEpisodeOutcome> {
  return retryOptimistic<PutEpisodeOutcome>(`writing episode ${episodeId}`, PUT_ATTEMPTS, async () => {
    const item = await getCatalogItem(episodeKind, episodeId, true);
    const current = item === undefined ? undefined : episodeFromItem(item);
    if (current !== undefined && current.showId !== showId) return 'in-other-show';
    const fields = { ...write, showId, [INDEX.partitionKey]: showEpisodesIndexKey(showId), [INDEX.sortKey]: publishedSortKey(write.publishedAt, episodeId) };
    const unchanged = {
      expression: `showId = :showId AND audioUrl = :readAudioUrl AND ${current?.guid === undefined ? 'attribute_not_exists(guid)' : 'guid = :readGuid'}`,
      values: { ':showId': showId, ':readAudioUrl': current?.audioUrl ?? '', ...(current?.guid === undefined ? {} : { ':readGuid': current.guid }) },
    };
    const update = catalogItemUpdate(episodeKind, episodeId, fields, ['description', 'guid'], now, current === undefined ? { expression: 'attribute_not_exists(PK)', values: {} } : unchanged);
    const others: WriteItem[] = [];
    // Claimed again on every write, not only when it changes: an episode written before look-ups existed gets its own.
    const claimsGuid = write.guid !== undefined;
    if (write.guid !== undefined) {
      others.push({
        Put: {
          TableName: tableName,
          Item: { ...episodeGuidLookupKey(showId, write.guid), entity: EPISODE_GUID_LOOKUP_ENTITY, showId, episodeId },
          ConditionExpression: 'attribute_not_exists(PK) OR episodeId = :episodeId',
          ExpressionAttributeValues: { ':episodeId': episodeId },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      });
    }
    if (current?.guid !== undefined && current.guid !== write.guid) {
      others.push({ Delete: { TableName: tableName, Key: episodeGuidLookupKey(showId, current.guid), ConditionExpression: 'attribute_not_exists(PK) OR episodeId = :episodeId', ExpressionAttributeValues: { ':episodeId': episodeId } } });
    }
    const urlKey = audioUrlKey(write.audioUrl);
    const readUrlKey = current === undefined ? undefined : audioUrlKey(current.audioUrl);
    others.push({ Put: { TableName: tableName, Item: { ...episodeUrlLookupKey(showId, urlKey, episodeId), entity: EPISODE_URL_LOOKUP_ENTITY, showId, episodeId } } });
    if (readUrlKey !== undefined && readUrlKey !== urlKey) others.push({ Delete: { TableName: tableName, Key: episodeUrlLookupKey(showId, readUrlKey, episodeId) } });
    const refused = await writeCatalogItemWith(episodeKind, episodeId, update, others);
    if (refused === undefined) {
      const written = await getCatalogItem(episodeKind, episodeId, true);
      return written === undefined ? RETRY : episodeFromItem(written);
    }
    const claim = claimsGuid ? refused[1] : undefined;
    if (claim?.conditionFailed && typeof claim.stored?.episodeId === 'string' && claim.stored.episodeId !== episodeId) return { taken: 'guid-taken', holder: claim.stored.episodeId };
    // The episode changed since it was read (or was made by another show's publisher): read again.
    return RETRY;
  });
}

/**
 * The published episode of a show that podcast apps mean by a guid and an enclosure URL: the
 * guid decides when it names an episode, else the URL (normalized here; of several episodes
 * with one file, the newest). Deleted episodes are not found.
 */
export async function findEpisodeForGpodder(target: { showId: string; guid?: string | undefined; audioUrl: string }): Promise<Episode | undefined> {
  const live = (item: Record<string, unknown> | undefined): Episode | undefined => {
    const episode = item === undefined ? undefined : episodeFromItem(item);
    return episode !== undefined && episode.showId === target.showId && episode.deletedAt === undefined ? episode : undefined;
  };
  const guid = target.guid?.trim();
  if (guid !== undefined && guid !== '') {
    const claim = (await documentClient.send(new GetCommand({ TableName: tableName, Key: episodeGuidLookupKey(target.showId, guid), ConsistentRead: true }))).Item;
    const byGuid = typeof claim?.episodeId === 'string' ? live(await getCatalogItem(episodeKind, claim.episodeId, true)) : undefined;
    if (byGuid !== undefined) return byGuid;
  }
  const normalized = normalizeFeedUrl(target.audioUrl);
  if (normalized === undefined) return undefined;
  const page = await queryPage(
    { TableName: tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': episodeUrlLookupPartition(target.showId, feedUrlKey(normalized)) }, ConsistentRead: true },
    MAX_EPISODES_PER_URL,
    undefined,
  );
  const ids = page.items.map((lookup) => lookup.episodeId).filter((id): id is string => typeof id === 'string');
  if (ids.length === 0) return undefined;
  const episodes = (await batchGetItems(ids.map((id) => catalogKey(episodeKind, id)), { consistent: true })).map((item) => live(item)).filter((e): e is Episode => e !== undefined);
  return episodes.sort((a, b) => b.publishedAt.localeCompare(a.publishedAt))[0];
}

/** Episodes read for one enclosure URL: a feed lists a file once or twice, never dozens of times. */
const MAX_EPISODES_PER_URL = 25;

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
