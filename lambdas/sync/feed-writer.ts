import type { ItemChange } from '../events/item-change';
import { userIdOfPartitionKey } from '../shared/keys';
import { isPermanentError } from '../shared/permanent-errors';
import { logger } from '../shared/logger';
import { COMPACTION_WINDOW, FEED_ENTRY_ENTITY, type FeedEntry, nextSeq, originSchema, streamSeqAfter } from './feed-entry';
import { feedRetentionMs } from './feed-settings';
import { newestFeedEntries, removeFeedEntries, writeFeedEntry } from './feed-store';
import { syncedTypeOfEntity } from './synced-types';

export interface FeedWrite {
  changeIndex: number;
  userId: string;
  entry: Omit<FeedEntry, 'entity'>;
}

/** A change's entry, before it is numbered; `timedByStream` when its item carries no time of its own (removals). */
interface WantedEntry {
  changeIndex: number;
  entry: Omit<FeedEntry, 'entity' | 'seq' | 'slot'>;
  timedByStream: boolean;
}

/** The feed entry a change of a user-owned synced item needs, or undefined for anything else. */
export function feedEntryFor(change: ItemChange): { userId: string; entry: Omit<FeedEntry, 'entity' | 'seq' | 'slot'>; timedByStream: boolean } | undefined {
  const userId = userIdOfPartitionKey(change.keys.PK);
  const image = change.newImage ?? change.oldImage;
  const synced = syncedTypeOfEntity(image?.entity);
  if (userId === undefined || image === undefined || synced === undefined) return undefined;
  const upsert = change.newImage !== undefined;
  const stamp = upsert ? (change.newImage?.updatedAt ?? change.newImage?.addedAt) : undefined;
  return {
    userId,
    timedByStream: typeof stamp !== 'string',
    entry: {
      type: synced.type,
      key: synced.keyOf(image),
      op: upsert ? 'upsert' : 'delete',
      ...(upsert ? { value: synced.viewOf(image) } : {}),
      updatedAt: typeof stamp === 'string' ? stamp : change.occurredAt,
      streamSeq: change.streamSeq,
      itemSortKey: String(change.keys.SK),
      ...originOf(image),
    },
  };
}

/** A change whose entry can never be written (its image does not match its type, or DynamoDB refuses the entry). */
export interface FeedRefusal {
  changeIndex: number;
  error: unknown;
}

/**
 * Numbers the changes of each user in stream order and appends them to the user's feed,
 * keeping one entry per item where it can: of several changes of one item in a batch only the
 * last gets an entry, and an entry among the user's newest that a newer entry of the same item
 * supersedes is removed once the newer one is written.
 *
 * Why this is gap-free: a user's items stay in one partition (the table's LSI sees to that), so
 * their changes reach one invocation at a time, each item's changes in commit order. Within a
 * user, entries are written one after another, each committed before the next number is
 * chosen, so entries become visible in number order and a reader that has seen number n can
 * never later find an entry below n. Compaction only ever removes an entry after a newer one of
 * the same item is visible, so an item's latest state is always in the feed above any cursor
 * that passed an older state. A redelivered change is recognised by its stream sequence number
 * and not numbered twice. docs/SYNC.md has the whole argument.
 *
 * Users are independent, so they are processed in parallel. A change that can never be
 * written is refused and skipped, so it holds back neither its user's later changes nor anyone
 * else's; a failure that may pass (throttling, a service fault, a lost race on the condition)
 * stops its user there, and `firstFailure` is the lowest such change (changes.length when
 * none), from which the event source delivers the batch again.
 */
export async function appendChangesToFeed(
  changes: ItemChange[],
  now: () => number = Date.now,
): Promise<{ written: FeedWrite[]; removed: number; firstFailure: number; refused: FeedRefusal[] }> {
  const byUser = new Map<string, WantedEntry[]>();
  const refused: FeedRefusal[] = [];
  changes.forEach((change, changeIndex) => {
    let wanted: ReturnType<typeof feedEntryFor>;
    try {
      wanted = feedEntryFor(change);
    } catch (error) {
      refused.push({ changeIndex, error });
      return;
    }
    if (!wanted) return;
    const list = byUser.get(wanted.userId) ?? [];
    list.push({ changeIndex, entry: wanted.entry, timedByStream: wanted.timedByStream });
    byUser.set(wanted.userId, list);
  });

  const written: FeedWrite[] = [];
  let removed = 0;
  let firstFailure = changes.length;
  await Promise.all(
    [...byUser].map(async ([userId, pending]) => {
      let window: FeedEntry[];
      try {
        window = await newestFeedEntries(userId, COMPACTION_WINDOW);
      } catch (error) {
        // An unreadable newest entry would fail every change of this user, now and on every retry.
        if (!isPermanentError(error)) return fail(pending[0]?.changeIndex ?? 0, error);
        refused.push(...pending.map(({ changeIndex }) => ({ changeIndex, error })));
        return;
      }
      let head = window[0];
      const fresh = pending.filter(({ entry }) => streamSeqAfter(entry.streamSeq, head?.streamSeq));
      timeRemovals(fresh, window);
      const writtenItems = new Set<string>();
      const writtenSlots = new Set<number>();
      for (const { changeIndex, entry } of lastChangePerItem(fresh)) {
        const seq = nextSeq(head?.seq, now());
        // The newest entry is of the same item (a title being played): it takes the change in place.
        const inPlace = head !== undefined && head.itemSortKey === entry.itemSortKey;
        const full = { ...entry, seq, slot: inPlace && head ? head.slot : seq };
        try {
          await writeFeedEntry(userId, full, Math.ceil((now() + feedRetentionMs) / 1000), inPlace ? head?.seq : undefined);
        } catch (error) {
          if (!isPermanentError(error)) {
            fail(changeIndex, error);
            break;
          }
          // Nothing was written under `seq`, so the next change takes it: numbers stay dense.
          refused.push({ changeIndex, error });
          continue;
        }
        written.push({ changeIndex, userId, entry: full });
        writtenItems.add(entry.itemSortKey);
        writtenSlots.add(full.slot);
        head = { ...full, entity: FEED_ENTRY_ENTITY };
      }
      removed += await removeSuperseded(userId, window, writtenItems, writtenSlots);
    }),
  );
  return { written, removed, firstFailure, refused: refused.sort((a, b) => a.changeIndex - b.changeIndex) };

  function fail(changeIndex: number, error: unknown): void {
    logger.error('feed entry not written; the batch is retried from here', { changeIndex, error: error as Error });
    firstFailure = Math.min(firstFailure, changeIndex);
  }
}

/**
 * Of several changes of one item, only the last needs an entry: a device applies only the
 * latest state. Order among the kept changes stays stream order. A change left out here is
 * never lost to a retry: its item's kept change comes after it, so a failure that redelivers
 * the batch from any point before that change still carries the kept one.
 */
function lastChangePerItem(fresh: readonly WantedEntry[]): WantedEntry[] {
  const lastIndex = new Map<string, number>();
  for (const [index, { entry }] of fresh.entries()) lastIndex.set(entry.itemSortKey, index);
  return fresh.filter(({ entry }, index) => lastIndex.get(entry.itemSortKey) === index);
}

/**
 * A removal carries no time of its own, and the stream's time for it is whole seconds in AWS
 * (whole minutes in DynamoDB Local). It takes the later of that and the newest time among the
 * user's changes before it: every one of those committed before the removal did, so the time
 * is never after the removal, never before a change that came first, and so never after a
 * change made later.
 */
function timeRemovals(fresh: readonly WantedEntry[], window: readonly FeedEntry[]): void {
  // ISO 8601 times in UTC compare as strings.
  let latest = '';
  for (const entry of window) if (entry.updatedAt > latest) latest = entry.updatedAt;
  for (const wanted of fresh) {
    if (wanted.timedByStream && wanted.entry.updatedAt < latest) wanted.entry.updatedAt = latest;
    if (wanted.entry.updatedAt > latest) latest = wanted.entry.updatedAt;
  }
}

/**
 * Removes the entries among the newest ones read that a newer entry of the same item
 * supersedes: one just written, or one further up the window (a removal that failed before).
 * A failure here loses nothing (the older entry stays and readers skip it within a page), so
 * it is logged and the next batch of this user tries again.
 */
async function removeSuperseded(userId: string, window: readonly FeedEntry[], writtenItems: ReadonlySet<string>, writtenSlots: ReadonlySet<number>): Promise<number> {
  const seen = new Set(writtenItems);
  const superseded: number[] = [];
  for (const entry of window) {
    // A slot just rewritten in place holds the newest change, not the one read.
    if (writtenSlots.has(entry.slot)) continue;
    if (seen.has(entry.itemSortKey)) superseded.push(entry.slot);
    seen.add(entry.itemSortKey);
  }
  if (superseded.length === 0) return 0;
  try {
    await removeFeedEntries(userId, superseded);
    return superseded.length;
  } catch (error) {
    logger.warn('superseded feed entries not removed; a later batch removes them', { superseded: superseded.length, error: error as Error });
    return 0;
  }
}

function originOf(image: Record<string, unknown>): { origin?: FeedEntry['origin'] } {
  const parsed = originSchema.safeParse(image.origin);
  return parsed.success ? { origin: parsed.data } : {};
}
