import { GetCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { WriteItem } from '../shared/atomic-writes';
import { documentClient, tableName } from '../shared/dynamo';
import { RETRY, retryOptimistic, whenConditionHolds } from '../shared/table-access';
import { SHOW_ENTITY, showKind } from './catalog-kinds';
import { catalogItemUpdate, getCatalogItem, putCatalogItem, softDeleteCatalogItem, writeCatalogItemWith } from './catalog-item-store';
import { FEED_URL_LOOKUP_ENTITY, feedUrlLookupKey } from './catalog-lookups';
import { feedUrlKey, MAX_FEED_URL_LENGTH, normalizeFeedUrl } from './feed-url';

/**
 * A podcast or programme that users can follow: `SHOW#<id>` / `SHOW`. A show with a `feedUrl`
 * owns that URL's look-up item (catalog-lookups.ts), so no two shows have one feed.
 */
export { SHOW_ENTITY, showKind } from './catalog-kinds';

export const MAX_DESCRIPTION_LENGTH = 4000;

export const showItemSchema = z.object({
  entity: z.literal(SHOW_ENTITY),
  showId: z.string(),
  title: z.string(),
  description: z.string().optional(),
  imageUrl: z.string().optional(),
  feedUrl: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  deletedAt: z.string().optional(),
});

export type Show = Omit<z.infer<typeof showItemSchema>, 'entity'>;

export const showWriteSchema = z.strictObject({
  title: z.string().trim().min(1).max(500),
  description: z.string().max(MAX_DESCRIPTION_LENGTH).optional(),
  imageUrl: z.url({ protocol: /^https$/, message: 'must be an https URL' }).max(2048).optional(),
  /** Stored as normalized (feed-url.ts), so the show reads back as podcast apps will name it. */
  feedUrl: z
    .string()
    .max(MAX_FEED_URL_LENGTH)
    .transform((url, context) => {
      const normalized = normalizeFeedUrl(url);
      if (normalized === undefined) context.addIssue({ code: 'custom', message: 'must be an http or https URL' });
      return normalized ?? z.NEVER;
    })
    .optional(),
});

export type ShowWrite = z.infer<typeof showWriteSchema>;

export function showFromItem(item: Record<string, unknown>): Show {
  const { entity: _entity, ...show } = showItemSchema.parse(item);
  return show;
}

export async function getShow(showId: string): Promise<Show | undefined> {
  const item = await getCatalogItem(showKind, showId);
  return item ? showFromItem(item) : undefined;
}

/** Each round lets one of two publishers' concurrent writes of the show through. */
const PUT_ATTEMPTS = 6;

/**
 * Creates or replaces a show, in one transaction with its feed URL's look-up item: claimed
 * (again) with every write that names the URL, released when it changes or goes. `feed-url-taken` (nothing
 * written) when another show holds the URL. The show is read first and written on condition
 * that its feed URL is still the one read, so two writes cannot both move it.
 */
export async function putShow(showId: string, write: ShowWrite, now: string): Promise<Show | { taken: 'feed-url-taken'; holder: string }> {
  return retryOptimistic<Show | { taken: 'feed-url-taken'; holder: string }>(`writing show ${showId}`, PUT_ATTEMPTS, async () => {
    const current = await getCatalogItem(showKind, showId, true);
    const before = typeof current?.feedUrl === 'string' ? current.feedUrl : undefined;
    const beforeKey = before === undefined ? undefined : feedUrlKey(before);
    const afterKey = write.feedUrl === undefined ? undefined : feedUrlKey(write.feedUrl);
    const unchanged = before === undefined ? { expression: 'attribute_not_exists(feedUrl)', values: {} } : { expression: 'feedUrl = :readFeedUrl', values: { ':readFeedUrl': before } };
    const fields = { ...write };
    const optional = ['description', 'imageUrl', 'feedUrl'];
    // A show without a feed URL, then or now, is one update that answers with the item, as before feed URLs.
    if (before === undefined && write.feedUrl === undefined) {
      const item = await whenConditionHolds(putCatalogItem(showKind, showId, fields, optional, now, unchanged));
      return item === undefined ? RETRY : showFromItem(item);
    }
    const update = catalogItemUpdate(showKind, showId, fields, optional, now, unchanged);
    const others: WriteItem[] = [];
    // Claimed on every write, not only when it changes: the claim's condition is what refuses a URL another show holds.
    if (afterKey !== undefined) {
      others.push({
        Put: {
          TableName: tableName,
          Item: { ...feedUrlLookupKey(afterKey), entity: FEED_URL_LOOKUP_ENTITY, showId },
          ConditionExpression: 'attribute_not_exists(PK) OR showId = :showId',
          ExpressionAttributeValues: { ':showId': showId },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      });
    }
    if (beforeKey !== undefined && beforeKey !== afterKey) {
      others.push({ Delete: { TableName: tableName, Key: feedUrlLookupKey(beforeKey), ConditionExpression: 'attribute_not_exists(PK) OR showId = :showId', ExpressionAttributeValues: { ':showId': showId } } });
    }
    const refused = await writeCatalogItemWith(showKind, showId, update, others);
    if (refused === undefined) {
      const written = await getCatalogItem(showKind, showId, true);
      return written === undefined ? RETRY : showFromItem(written);
    }
    const claim = refused[1];
    if (afterKey !== undefined && claim?.conditionFailed && typeof claim.stored?.showId === 'string' && claim.stored.showId !== showId) {
      return { taken: 'feed-url-taken', holder: claim.stored.showId };
    }
    return RETRY;
  });
}

/** The show whose feed URL this is (normalized, as normalizeFeedUrl makes it), deleted or not; strongly consistent. */
export async function findShowIdByFeedUrl(normalizedUrl: string): Promise<string | undefined> {
  const output = await documentClient.send(new GetCommand({ TableName: tableName, Key: feedUrlLookupKey(feedUrlKey(normalizedUrl)), ConsistentRead: true }));
  const showId = output.Item?.showId;
  return typeof showId === 'string' ? showId : undefined;
}

export async function softDeleteShow(showId: string, now: string): Promise<Show | undefined> {
  const item = await softDeleteCatalogItem(showKind, showId, now);
  return item ? showFromItem(item) : undefined;
}
