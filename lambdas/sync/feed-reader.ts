import { HttpProblem } from '../shared/problem';
import { type Change, changeOfEntry, type FeedEntry, originSchema } from './feed-entry';
import { decodeFeedCursor, encodeFeedCursor, type FeedPosition } from './feed-cursor';
import { feedRetentionMs } from './feed-settings';
import { feedEntriesAfter, lastFeedEntry, type SnapshotItem, snapshotAfter } from './feed-store';
import { syncedTypeOfEntity } from './synced-types';

export interface ChangesPage {
  changes: Change[];
  cursor: string;
  hasMore: boolean;
}

export interface ReadOptions {
  /** Where to start when the request carries no cursor; default: a snapshot as of the feed's head. */
  start?: FeedPosition;
  /** The window's upper end (a sync session's `until`); default: the end of the feed. */
  upToSeq?: number;
  /** Adds `localId` to changes of items this device created. */
  deviceId?: string;
  now?: number;
}

/**
 * One page of a user's changes after a cursor. Without a cursor the device first receives the
 * user's current items (a snapshot as of the feed's head), then the feed after that head.
 *
 * The cursor's `issuedAt` is a time after which every entry past the cursor was created. A full
 * read sets it to now; a partial page keeps the old one, because the entries it has not handed
 * out yet may be older than now. A cursor is good while that time is within the retention
 * window, since no entry expires sooner than the window after its creation.
 */
export async function readChanges(userId: string, cursor: string | undefined, limit: number, options: ReadOptions = {}): Promise<ChangesPage> {
  const now = options.now ?? Date.now();
  let position: FeedPosition;
  if (cursor !== undefined) position = decodeFeedCursor(userId, cursor, options.start ? 'query.cursor' : 'query.since');
  else if (options.start) position = options.start;
  else {
    const head = await lastFeedEntry(userId);
    position = { seq: head?.seq ?? 0, slot: head?.slot, issuedAt: now, snapshotAfter: '' };
  }
  if (now - position.issuedAt > feedRetentionMs) {
    throw new HttpProblem('cursor-expired', 'Changes older than the retention window are gone: drop local state and pull again without a cursor.');
  }

  const changes: Change[] = [];
  if (position.snapshotAfter !== undefined) {
    const snapshot = await snapshotAfter(userId, position.snapshotAfter === '' ? undefined : position.snapshotAfter, limit);
    const fitted = fitToPage(snapshot.items.map((item) => ({ item, change: snapshotChange(item, position.seq, options.deviceId) })), (x) => x.change);
    changes.push(...fitted.kept.map((x) => x.change));
    if (snapshot.more || fitted.cut) {
      const last = fitted.kept.at(-1)?.item.sortKey ?? position.snapshotAfter;
      return { changes, cursor: encodeFeedCursor(userId, { ...position, snapshotAfter: last }), hasMore: true };
    }
    // The snapshot is done; the rest of the page comes from the feed after its head.
    position = { seq: position.seq, slot: position.slot, issuedAt: position.issuedAt };
  }

  const room = limit - changes.length;
  const feed = room > 0 ? await feedEntriesAfter(userId, position, room, options.upToSeq) : { entries: [], more: true };
  const fitted = fitToPage(
    newestPerItem(feed.entries).map((entry) => ({ entry, change: changeOfEntry(entry, options.deviceId) })),
    (x) => x.change,
    bytesOf(changes),
  );
  changes.push(...fitted.kept.map((x) => x.change));
  const more = feed.more || fitted.cut;
  // Uncut, the page covers every entry it read (older entries of an item are stood for by its newest).
  const last = fitted.cut ? fitted.kept.at(-1)?.entry : feed.entries.at(-1);
  const reached = last === undefined ? { seq: position.seq, slot: position.slot } : { seq: last.seq, slot: last.slot };
  const issuedAt = more ? position.issuedAt : now;
  return { changes, cursor: encodeFeedCursor(userId, { ...reached, issuedAt }), hasMore: more };
}

/**
 * Of several entries of one item in a page, only the newest, in its place: the router removes
 * superseded entries among each user's newest, and this covers the rest (an item changed again
 * after many others, or a removal that failed and is not yet retried).
 */
function newestPerItem(entries: readonly FeedEntry[]): FeedEntry[] {
  const newest = new Map<string, number>();
  for (const entry of entries) newest.set(entry.itemSortKey, entry.seq);
  return entries.filter((entry) => newest.get(entry.itemSortKey) === entry.seq);
}

/**
 * Lambda answers at most 6 MB; a page of 1000 dataset records of 32 KiB would not fit. A page
 * stops before this many bytes of changes (always holding at least one) and says `hasMore`.
 */
export const PAGE_BYTE_BUDGET = 4 * 1024 * 1024;

const bytesOf = (changes: Change[]): number => changes.reduce((sum, c) => sum + Buffer.byteLength(JSON.stringify(c)), 0);

function fitToPage<T>(items: T[], changeOf: (item: T) => Change, used = 0): { kept: T[]; cut: boolean } {
  let total = used;
  for (const [index, item] of items.entries()) {
    total += Buffer.byteLength(JSON.stringify(changeOf(item)));
    if (total > PAGE_BYTE_BUDGET && index > 0) return { kept: items.slice(0, index), cut: true };
  }
  return { kept: items, cut: false };
}

function snapshotChange({ item }: SnapshotItem, headSeq: number, deviceId: string | undefined): Change {
  const synced = syncedTypeOfEntity(item.entity);
  if (!synced) throw new Error(`snapshot item of unknown entity ${String(item.entity)}`);
  const stamp = item.updatedAt ?? item.addedAt;
  const change: Change = { seq: headSeq, type: synced.type, key: synced.keyOf(item), op: 'upsert', value: synced.viewOf(item), updatedAt: typeof stamp === 'string' ? stamp : '' };
  const origin = originSchema.safeParse(item.origin);
  if (deviceId !== undefined && origin.success && origin.data.deviceId === deviceId) change.localId = origin.data.localId;
  return change;
}
