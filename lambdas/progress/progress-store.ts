import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '../shared/dynamo';
import { type Page, queryUserItems } from '../shared/user-items';
import { PROGRESS_ENTITY, PROGRESS_SORT_PREFIX, type ProgressEntry, progressEntryFromItem, progressKey } from './progress-item';

/**
 * The hottest write in Playhead (every few seconds per viewer): one unconditional PutItem of
 * an item well under 1 KB, so exactly one write unit. Last write wins.
 */
export async function saveProgress(userId: string, assetId: string, progress: number, now: string): Promise<ProgressEntry> {
  const item = { ...progressKey(userId, assetId), entity: PROGRESS_ENTITY, assetId, progress, updatedAt: now };
  await documentClient.send(new PutCommand({ TableName: tableName, Item: item }));
  return { asset: assetId, progress, updatedAt: now };
}

export async function getProgress(userId: string, assetId: string): Promise<ProgressEntry | undefined> {
  const output = await documentClient.send(new GetCommand({ TableName: tableName, Key: progressKey(userId, assetId), ConsistentRead: true }));
  return output.Item ? progressEntryFromItem(output.Item) : undefined;
}

/** Deleting progress (at the credits) makes the title start from 0 again; absent is fine. */
export async function deleteProgress(userId: string, assetId: string): Promise<void> {
  await documentClient.send(new DeleteCommand({ TableName: tableName, Key: progressKey(userId, assetId) }));
}

export function listProgress(userId: string, limit: number, afterSortKey: string | undefined): Promise<Page<ProgressEntry>> {
  return queryUserItems(userId, PROGRESS_SORT_PREFIX, limit, afterSortKey, progressEntryFromItem);
}
