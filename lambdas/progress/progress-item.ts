import * as z from 'zod';
import { userPartitionKey } from '../shared/keys';

/**
 * Playback position of one asset for one user: `USER#<userId>` / `PROGRESS#<assetId>`. Pure
 * item shape and keys, shared by the store and the stream router.
 */
export const PROGRESS_ENTITY = 'progress';
export const PROGRESS_SORT_PREFIX = 'PROGRESS#';

export const progressItemSchema = z.object({
  entity: z.literal(PROGRESS_ENTITY),
  assetId: z.string(),
  progress: z.number().int(),
  updatedAt: z.string(),
});

/** What a client sends to record a position. */
export const progressWriteSchema = z.strictObject({ progress: z.number().int() });

export interface ProgressEntry {
  asset: string;
  /** Whole seconds from the start of the asset. */
  progress: number;
  updatedAt: string;
}

export const progressKey = (userId: string, assetId: string) => ({ PK: userPartitionKey(userId), SK: `${PROGRESS_SORT_PREFIX}${assetId}` });

export const isProgressSortKey = (sortKey: string): boolean => sortKey.startsWith(PROGRESS_SORT_PREFIX);

export function progressEntryFromItem(item: Record<string, unknown>): ProgressEntry {
  const parsed = progressItemSchema.parse(item);
  return { asset: parsed.assetId, progress: parsed.progress, updatedAt: parsed.updatedAt };
}
