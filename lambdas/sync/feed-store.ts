import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '../shared/dynamo';
import { userPartitionKey } from '../shared/keys';
import { batchDeleteItems, queryPage, TTL_ATTRIBUTE } from '../shared/table-access';
import { FEED_ENTRY_ENTITY, FEED_SORT_END, FEED_SORT_PREFIX, type FeedEntry, feedEntryKey, feedEntrySchema, feedSortKey } from './feed-entry';
import { syncedTypeOfEntity, syncedTypes } from './synced-types';
import { queryUserItems } from '../shared/user-items';

const parseEntry = (item: Record<string, unknown>): FeedEntry => feedEntrySchema.parse(item);

/** The newest entry of a user's feed, read strongly consistent: where the feed's head is. */
export async function lastFeedEntry(userId: string): Promise<FeedEntry | undefined> {
  return (await newestFeedEntries(userId, 1))[0];
}

/**
 * The newest `count` entries of a user's feed, newest first, read strongly consistent. The
 * stream router numbers on from the first and removes entries that newer ones supersede among
 * them.
 */
export async function newestFeedEntries(userId: string, count: number): Promise<FeedEntry[]> {
  const output = await documentClient.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': userPartitionKey(userId), ':from': FEED_SORT_PREFIX, ':to': FEED_SORT_END },
      ScanIndexForward: false,
      Limit: count,
      ConsistentRead: true,
    }),
  );
  return (output.Items ?? []).map(parseEntry);
}

/** Removes entries that newer entries of the same items supersede. */
export async function removeFeedEntries(userId: string, seqs: readonly number[]): Promise<void> {
  await batchDeleteItems(seqs.map((seq) => feedEntryKey(userId, seq)));
}

/**
 * Appends one entry. The condition makes a second writer with the same number fail instead of
 * overwriting: the stream router then retries and numbers the change afresh.
 */
export async function appendFeedEntry(userId: string, entry: Omit<FeedEntry, 'entity'>, expiresAtSeconds: number): Promise<void> {
  await documentClient.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...feedEntryKey(userId, entry.seq), entity: FEED_ENTRY_ENTITY, ...entry, [TTL_ATTRIBUTE]: expiresAtSeconds },
      ConditionExpression: 'attribute_not_exists(PK)',
    }),
  );
}

/**
 * Entries after `afterSeq` (and up to `upToSeq`, when given), oldest first, strongly consistent
 * so a page never skips a committed entry.
 */
export async function feedEntriesAfter(userId: string, afterSeq: number, limit: number, upToSeq?: number): Promise<{ entries: FeedEntry[]; more: boolean }> {
  if (upToSeq !== undefined && upToSeq <= afterSeq) return { entries: [], more: false };
  const page = await queryPage(
    {
      TableName: tableName,
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': userPartitionKey(userId),
        ':from': feedSortKey(afterSeq + 1),
        ':to': upToSeq === undefined ? FEED_SORT_END : feedSortKey(upToSeq),
      },
      ConsistentRead: true,
    },
    limit,
    undefined,
  );
  return { entries: page.items.map(parseEntry), more: page.more };
}

export interface SnapshotItem {
  sortKey: string;
  item: Record<string, unknown>;
}

/**
 * The user's current items of every synced type, in sort-key order, after `afterSortKey`: what
 * a device with no cursor starts from.
 */
export async function snapshotAfter(userId: string, afterSortKey: string | undefined, limit: number): Promise<{ items: SnapshotItem[]; more: boolean }> {
  const collected: SnapshotItem[] = [];
  for (const prefix of syncedTypes.map((t) => t.sortPrefix).sort()) {
    if (afterSortKey !== undefined && afterSortKey >= `${prefix}~`) continue;
    const resume = afterSortKey?.startsWith(prefix) ? afterSortKey : undefined;
    const room = limit - collected.length;
    // A full page still has to learn whether anything follows: one item is enough to tell.
    const page = await queryUserItems(userId, prefix, Math.max(room, 1), resume, (item) => ({ sortKey: String(item.SK), item }), true);
    // Full: more follows if this prefix has anything; an empty one says nothing about the next.
    if (room === 0) {
      if (page.items.length > 0) return { items: collected, more: true };
      continue;
    }
    collected.push(...page.items.filter((s) => syncedTypeOfEntity(s.item.entity)));
    if (page.lastSortKey !== undefined) return { items: collected, more: true };
  }
  return { items: collected, more: false };
}
