import { type Condition, INDEX } from '../shared/table-index';

/**
 * Copies of catalog content kept elsewhere (queue entries hold an episode's metadata, curated
 * catalog members hold an item's `updatedAt` / `deletedAt`) are "holders": each carries the
 * index entry `HOLDERS#<content key>` / `<holder's partition key>`, so an edit finds every copy
 * through the index, with no scan, and refreshes it (lambdas/propagation). A holder also keeps
 * `contentUpdatedAt`, the `updatedAt` of the content it copied, which makes a refresh
 * idempotent: older news is ignored. This module is the one place that knows this access
 * pattern's key format.
 */
const holdersIndexKey = (contentKey: string): string => `HOLDERS#${contentKey}`;

/** The index attributes that make an item a holder of `contentKey`. */
export const holderIndexAttributes = (contentKey: string, holderPartitionKey: string): Record<string, string> => ({
  [INDEX.partitionKey]: holdersIndexKey(contentKey),
  [INDEX.sortKey]: holderPartitionKey,
});

/** One page of a content item's holders; the index projects whole items. */
export function holdersQuery(contentKey: string): { IndexName: string; KeyConditionExpression: string; ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues: Record<string, unknown> } {
  return {
    IndexName: INDEX.name,
    KeyConditionExpression: '#holders = :holders',
    ExpressionAttributeNames: { '#holders': INDEX.partitionKey },
    ExpressionAttributeValues: { ':holders': holdersIndexKey(contentKey) },
  };
}

/**
 * The condition of every holder refresh: the item still holds this content (the index is
 * eventually consistent) and its copy is older than `contentUpdatedAt`, so a message worked
 * twice, or a late one, changes nothing.
 */
export const holderRefreshCondition = (contentKey: string, contentUpdatedAt: unknown): Condition => ({
  expression: '#holders = :holders AND contentUpdatedAt < :contentUpdatedAt',
  names: { '#holders': INDEX.partitionKey },
  values: { ':holders': holdersIndexKey(contentKey), ':contentUpdatedAt': contentUpdatedAt },
});
