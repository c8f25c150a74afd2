import { HttpProblem } from '../shared/problem';
import { type Change, changeOfEntry, originSchema } from './feed-entry';
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
  else position = options.start ?? { seq: (await lastFeedEntry(userId))?.seq ?? 0, issuedAt: now, snapshotAfter: '' };
  if (now - position.issuedAt > feedRetentionMs) {
    throw new HttpProblem('cursor-expired', 'Changes older than the retention window are gone: drop local state and pull again without a cursor.');
  }

  const changes: Change[] = [];
  if (position.snapshotAfter !== undefined) {
    const snapshot = await snapshotAfter(userId, position.snapshotAfter === '' ? undefined : position.snapshotAfter, limit);
    changes.push(...snapshot.items.map((s) => snapshotChange(s, position.seq, options.deviceId)));
    if (snapshot.more) {
      const last = snapshot.items.at(-1)?.sortKey ?? '';
      return { changes, cursor: encodeFeedCursor(userId, { ...position, snapshotAfter: last }), hasMore: true };
    }
    // The snapshot is done; the rest of the page comes from the feed after its head.
    position = { seq: position.seq, issuedAt: position.issuedAt };
  }

  const room = limit - changes.length;
  const feed = room > 0 ? await feedEntriesAfter(userId, position.seq, room, options.upToSeq) : { entries: [], more: true };
  changes.push(...feed.entries.map((entry) => changeOfEntry(entry, options.deviceId)));
  const seq = feed.entries.at(-1)?.seq ?? position.seq;
  const issuedAt = feed.more ? position.issuedAt : now;
  return { changes, cursor: encodeFeedCursor(userId, { seq, issuedAt }), hasMore: feed.more };
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
