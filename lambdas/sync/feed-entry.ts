import * as z from 'zod';
import { userPartitionKey } from '../shared/keys';
import { originSchema } from '../shared/sync-contract';

/**
 * One change in a user's feed: `USER#<userId>` / `FEED#<slot, zero-padded>`. Entries are written
 * by the stream router, never by the API, in the order the table committed the changes.
 *
 * An entry's `seq` is its change number; its slot (the sort key) is the number it was first
 * written under. The two differ only for an entry the router rewrote in place: the newest
 * entry, when the next change is of the same item, takes that change and a new number and
 * keeps its slot. Only the newest entry is ever rewritten, and every number is larger than
 * all before it, so slots and numbers sort alike, and slot <= seq.
 */
export const FEED_ENTRY_ENTITY = 'feed-entry';
export const FEED_SORT_PREFIX = 'FEED#';
/**
 * How many of a user's newest entries the router reads before numbering their next changes.
 * Eight small entries (a progress or watchlist entry is about 400 bytes) fit in one 4 KB read
 * unit, so reading them costs what reading the newest alone did, and an item changed again
 * within its user's last eight changes (a title being played, two titles alternating, a record
 * edited between edits of others) keeps a single entry.
 */
export const COMPACTION_WINDOW = 8;
/** Wide enough for microsecond timestamps until the year 5138, so string order is number order. */
const SEQ_DIGITS = 17;

// Items a device created offline carry an origin; the feed copies it into their entries.
export { type Origin, originSchema } from '../shared/sync-contract';

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
  /** The user item the change is about (its sort key). */
  itemSortKey: z.string(),
  /** The device and local id under which a device created the item offline, if one did. */
  origin: originSchema.optional(),
});

/** A stored entry, with the slot its sort key holds. */
export type FeedEntry = z.infer<typeof feedEntrySchema> & { slot: number };

export interface Change {
  seq: number;
  type: string;
  key: string;
  op: 'upsert' | 'delete';
  value?: unknown;
  updatedAt: string;
  /** Only in a sync session's pull, on records the session's device created offline. */
  localId?: string;
}


export const feedSortKey = (slot: number): string => `${FEED_SORT_PREFIX}${String(slot).padStart(SEQ_DIGITS, '0')}`;
export const feedEntryKey = (userId: string, slot: number) => ({ PK: userPartitionKey(userId), SK: feedSortKey(slot) });
export const slotOfSortKey = (sortKey: string): number => Number(sortKey.slice(FEED_SORT_PREFIX.length));
/** The sort key just past every entry (for "from the end" queries). */
export const FEED_SORT_END = `${FEED_SORT_PREFIX}~`;

/** The public change; `forDevice` adds the local id on items that device created. */
export function changeOfEntry(entry: FeedEntry, forDevice?: string): Change {
  const change: Change = { seq: entry.seq, type: entry.type, key: entry.key, op: entry.op, updatedAt: entry.updatedAt };
  if (entry.op === 'upsert') change.value = entry.value;
  if (forDevice !== undefined && entry.origin?.deviceId === forDevice) change.localId = entry.origin.localId;
  return change;
}

/**
 * The next number: more than the user's last entry, and at least the current time in
 * microseconds. The clock floor keeps numbers from ever going back when the newest entries are
 * gone (expired, or the retention was shortened) while a device still holds a cursor at them.
 * One writer per user (docs/SYNC.md) keeps them in order; the conditional put makes a racing
 * second writer that picked the same number fail.
 */
export const nextSeq = (lastSeq: number | undefined, nowMs: number): number => Math.max((lastSeq ?? 0) + 1, nowMs * 1000);

/** Stream sequence numbers are decimal strings longer than 2^53; compare them as big integers. */
export const streamSeqAfter = (candidate: string, last: string | undefined): boolean => last === undefined || BigInt(candidate) > BigInt(last);
