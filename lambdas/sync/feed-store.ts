import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '../shared/dynamo';
import { userPartitionKey } from '../shared/keys';
import { batchDeleteItems, queryPage, TTL_ATTRIBUTE } from '../shared/table-access';
import { FEED_ENTRY_ENTITY, FEED_SORT_END, FEED_SORT_PREFIX, type FeedEntry, feedEntryKey, feedEntrySchema, feedSortKey, slotOfSortKey } from './feed-entry';
import { syncedTypeOfEntity, syncedTypes } from './synced-types';
import { queryUserItems } from '../shared/user-items';

const parseEntry = (item: Record<string, unknown>): FeedEntry => ({ ...feedEntrySchema.parse(item), slot: slotOfSortKey(String(item.SK)) });

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

/** Removes entries (by slot) that newer entries of the same items supersede. */
export async function removeFeedEntries(userId: string, slots: readonly number[]): Promise<void> {
  await batchDeleteItems(slots.map((slot) => feedEntryKey(userId, slot)));
}

/**
 * Writes one entry in its slot: a new entry (slot = seq) on condition that the slot is free, or
 * the newest entry rewritten in place on condition that it still holds the number read
 * (`replacing`). Either condition makes a second writer fail instead of overwriting: the stream
 * router then retries and numbers the change afresh.
 */
export async function writeFeedEntry(userId: string, entry: Omit<FeedEntry, 'entity'>, expiresAtSeconds: number, replacing?: number): Promise<void> {
  const { slot, ...stored } = entry;
  await documentClient.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...feedEntryKey(userId, slot), entity: FEED_ENTRY_ENTITY, ...stored, [TTL_ATTRIBUTE]: expiresAtSeconds },
      ...(replacing === undefined
        ? { ConditionExpression: 'attribute_not_exists(PK)' }
        : { ConditionExpression: '#seq = :replacing', ExpressionAttributeNames: { '#seq': 'seq' }, ExpressionAttributeValues: { ':replacing': replacing } }),
    }),
  );
}

/** Where a device stands in the feed: every change numbered up to `seq` is handed out; `slot` is that entry's slot. */
export interface FeedPoint {
  seq: number;
  /** Defaults to `seq`: the slot of an entry never rewritten. */
  slot?: number | undefined;
}

/**
 * Entries numbered after `after.seq` (and up to `upToSeq`, when given), oldest first, strongly
 * consistent so a page never skips a committed entry. The read starts at `after`'s own slot:
 * that entry, if rewritten since, holds a newer change.
 */
export async function feedEntriesAfter(userId: string, after: FeedPoint, limit: number, upToSeq?: number): Promise<{ entries: FeedEntry[]; more: boolean }> {
  if (upToSeq !== undefined && upToSeq <= after.seq) return { entries: [], more: false };
  const inWindow = (item: Record<string, unknown>) => Number(item.seq) > after.seq && (upToSeq === undefined || Number(item.seq) <= upToSeq);
  const page = await queryPage(
    {
      TableName: tableName,
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': userPartitionKey(userId),
        ':from': feedSortKey(after.slot ?? after.seq),
        // slot <= seq, so every entry numbered up to `upToSeq` sits in a slot up to it.
        ':to': upToSeq === undefined ? FEED_SORT_END : feedSortKey(upToSeq),
      },
      ConsistentRead: true,
    },
    limit,
    undefined,
    // At most two entries in the range fall outside the window: the one at `after` and a newest entry rewritten past `upToSeq`.
    { keep: inWindow, slack: 2 },
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
