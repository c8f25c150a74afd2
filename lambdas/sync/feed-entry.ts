import * as z from 'zod';
import { userPartitionKey } from '../shared/keys';

/**
 * One change in a user's feed: `USER#<userId>` / `FEED#<seq, zero-padded>`. Entries are written
 * by the stream router, never by the API, in the order the table committed the changes.
 */
export const FEED_ENTRY_ENTITY = 'feed-entry';
export const FEED_SORT_PREFIX = 'FEED#';
/** Wide enough for microsecond timestamps until the year 5138, so string order is number order. */
const SEQ_DIGITS = 17;

export const feedEntrySchema = z.object({
  entity: z.literal(FEED_ENTRY_ENTITY),
  seq: z.number().int().positive(),
  type: z.string(),
  key: z.string(),
  op: z.enum(['upsert', 'delete']),
  value: z.unknown().optional(),
  updatedAt: z.string(),
  /** The stream record's sequence number: a redelivered record is recognised and not numbered twice. */
  streamSeq: z.string(),
  /** The user item the change is about (its sort key), for the sync layer's local-id look-ups. */
  itemSortKey: z.string(),
});

export type FeedEntry = z.infer<typeof feedEntrySchema>;

export interface Change {
  seq: number;
  type: string;
  key: string;
  op: 'upsert' | 'delete';
  value?: unknown;
  updatedAt: string;
}

export const feedSortKey = (seq: number): string => `${FEED_SORT_PREFIX}${String(seq).padStart(SEQ_DIGITS, '0')}`;
export const feedEntryKey = (userId: string, seq: number) => ({ PK: userPartitionKey(userId), SK: feedSortKey(seq) });
/** The sort key just past every entry (for "from the end" queries). */
export const FEED_SORT_END = `${FEED_SORT_PREFIX}~`;

export function changeOfEntry(entry: FeedEntry): Change {
  const change: Change = { seq: entry.seq, type: entry.type, key: entry.key, op: entry.op, updatedAt: entry.updatedAt };
  if (entry.op === 'upsert') change.value = entry.value;
  return change;
}

/**
 * Numbers are strictly increasing per user and never reused: at least one more than the last
 * entry, and at least the current time in microseconds, so that numbering does not restart
 * when old entries expire after the retention window.
 */
export const nextSeq = (lastSeq: number, nowMs: number): number => Math.max(lastSeq + 1, nowMs * 1000);

/** Stream sequence numbers are decimal strings longer than 2^53; compare them as big integers. */
export const streamSeqAfter = (candidate: string, last: string | undefined): boolean => last === undefined || BigInt(candidate) > BigInt(last);
