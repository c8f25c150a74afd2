import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { holderRefreshCondition } from '../catalog/holders-index';
import type { Episode } from '../catalog/episode-store';
import { type WriteItem, writeTogether } from '../shared/atomic-writes';
import { conditionalUpdate, type TableKey } from '../shared/table-access';
import { documentClient, tableName } from '../shared/dynamo';
import { allUserItems } from '../shared/user-items';
import { episodeCopyOf, holderIndexAttributes, QUEUE_SORT_PREFIX, type QueueItem, queueItemSchema, queueKey, type QueueState } from './queue-item';

/** Strongly consistent: a change is computed from the entry as it is, then written only if it is still so. */
export async function getQueueItem(userId: string, episodeId: string): Promise<QueueItem | undefined> {
  const output = await documentClient.send(new GetCommand({ TableName: tableName, Key: queueKey(userId, episodeId), ConsistentRead: true }));
  return output.Item ? queueItemSchema.parse(output.Item) : undefined;
}

/**
 * Writes the whole entry if nobody changed it since it was read (`seen`; undefined: it did not
 * exist). False when someone did; the caller reads again and recomputes.
 */
export async function replaceQueueItem(
  userId: string,
  item: QueueItem,
  index: Record<string, string> | undefined,
  seen: QueueItem | undefined,
  alongside?: readonly WriteItem[],
): Promise<boolean> {
  const put: WriteItem = {
    Put: {
      TableName: tableName,
      Item: { ...queueKey(userId, item.episodeId), ...item, ...index },
      ConditionExpression: seen === undefined ? 'attribute_not_exists(PK)' : 'updatedAt = :seen AND contentUpdatedAt = :seenContent',
      ExpressionAttributeValues: seen === undefined ? undefined : { ':seen': seen.updatedAt, ':seenContent': seen.contentUpdatedAt },
    },
  };
  return (await writeTogether([put], alongside)) === undefined;
}

/** A new entry a fetch hands out, as one item of its transaction: only if the episode is not in the queue yet. */
export const newQueueEntryWrite = (userId: string, item: QueueItem): WriteItem => ({
  Put: { TableName: tableName, Item: { ...queueKey(userId, item.episodeId), ...item, ...holderIndexAttributes(userId, item.episodeId) }, ConditionExpression: 'attribute_not_exists(PK)' },
});

/**
 * Brings an active entry's copy of its episode up to the episode as it is now (propagation):
 * the metadata, and `unavailableSince` while the episode is unpublished. False when the entry
 * already had this version or no longer holds the episode.
 */
export function refreshQueueCopy(entryKey: TableKey, contentKey: string, episode: Episode, now: string): Promise<boolean> {
  const set = { episode: episodeCopyOf(episode), contentUpdatedAt: episode.updatedAt, updatedAt: now, unavailableSince: episode.deletedAt };
  return conditionalUpdate(entryKey, { set, remove: episode.deletedAt === undefined ? ['unavailableSince'] : [] }, holderRefreshCondition(contentKey, episode.updatedAt));
}

/** Every entry in the given states. The queue is read whole because it is ordered by position, not by key. */
export async function queueItemsInStates(userId: string, states: readonly QueueState[]): Promise<QueueItem[]> {
  const items = await allUserItems(userId, QUEUE_SORT_PREFIX, {
    filter: { expression: `#state IN (${states.map((_, i) => `:s${i}`).join(', ')})`, names: { '#state': 'state' }, values: Object.fromEntries(states.map((s, i) => [`:s${i}`, s])) },
  });
  return items.map((item) => queueItemSchema.parse(item));
}
