import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { documentClient, tableName } from '../shared/dynamo';
import { type Page, queryUserItems, userPartitionKey } from '../shared/user-items';

/** Playback position of one asset for one user: `USER#<userId>` / `PROGRESS#<assetId>`. */
export const PROGRESS_ENTITY = 'progress';
const SORT_PREFIX = 'PROGRESS#';

export const progressItemSchema = z.object({
  entity: z.literal(PROGRESS_ENTITY),
  assetId: z.string(),
  progress: z.number().int(),
  updatedAt: z.string(),
});

export interface ProgressEntry {
  asset: string;
  /** Whole seconds from the start of the asset. */
  progress: number;
  updatedAt: string;
}

const progressKey = (userId: string, assetId: string) => ({ PK: userPartitionKey(userId), SK: `${SORT_PREFIX}${assetId}` });

export const isProgressSortKey = (sortKey: string): boolean => sortKey.startsWith(SORT_PREFIX);

export function progressEntryFromItem(item: Record<string, unknown>): ProgressEntry {
  const parsed = progressItemSchema.parse(item);
  return { asset: parsed.assetId, progress: parsed.progress, updatedAt: parsed.updatedAt };
}

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
  return queryUserItems(userId, SORT_PREFIX, limit, afterSortKey, progressEntryFromItem);
}
