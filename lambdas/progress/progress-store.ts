import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { type Alongside, type WriteItem, writeTogether } from '../shared/atomic-writes';
import { documentClient, tableName } from '../shared/dynamo';
import { type Page, queryUserItems } from '../shared/user-items';
import { PROGRESS_ENTITY, PROGRESS_SORT_PREFIX, type ProgressEntry, progressEntryFromItem, progressKey } from './progress-item';

/**
 * The hottest write in Playhead (every few seconds per viewer): one unconditional PutItem of
 * an item well under 1 KB, so exactly one write unit. Last write wins.
 */
export async function saveProgress(userId: string, assetId: string, progress: number, now: string, alongside?: Alongside<ProgressEntry>): Promise<ProgressEntry> {
  const item = { ...progressKey(userId, assetId), entity: PROGRESS_ENTITY, assetId, progress, updatedAt: now };
  const entry = { asset: assetId, progress, updatedAt: now };
  await writeTogether([{ Put: { TableName: tableName, Item: item } }], alongside?.(entry));
  return entry;
}

export async function getProgress(userId: string, assetId: string): Promise<ProgressEntry | undefined> {
  const output = await documentClient.send(new GetCommand({ TableName: tableName, Key: progressKey(userId, assetId), ConsistentRead: true }));
  return output.Item ? progressEntryFromItem(output.Item) : undefined;
}

/** Deleting progress (at the credits) makes the title start from 0 again; absent is fine. */
export async function deleteProgress(userId: string, assetId: string, alongside?: readonly WriteItem[]): Promise<void> {
  await writeTogether([{ Delete: { TableName: tableName, Key: progressKey(userId, assetId) } }], alongside);
}

export function listProgress(userId: string, limit: number, afterSortKey: string | undefined): Promise<Page<ProgressEntry>> {
  return queryUserItems(userId, PROGRESS_SORT_PREFIX, limit, afterSortKey, progressEntryFromItem);
}
