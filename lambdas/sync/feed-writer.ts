import type { ItemChange } from '../events/item-change';
import { userIdOfPartitionKey } from '../shared/keys';
import { isPermanentError } from '../shared/permanent-errors';
import { logger } from '../shared/logger';
import { type FeedEntry, nextSeq, originSchema, streamSeqAfter } from './feed-entry';
import { feedRetentionMs } from './feed-settings';
import { appendFeedEntry, lastFeedEntry } from './feed-store';
import { syncedTypeOfEntity } from './synced-types';

export interface FeedWrite {
  changeIndex: number;
  userId: string;
  entry: Omit<FeedEntry, 'entity'>;
}

/** The feed entry a change of a user-owned synced item needs, or undefined for anything else. */
export function feedEntryFor(change: ItemChange): { userId: string; entry: Omit<FeedEntry, 'entity' | 'seq'> } | undefined {
  const userId = userIdOfPartitionKey(change.keys.PK);
  const image = change.newImage ?? change.oldImage;
  const synced = syncedTypeOfEntity(image?.entity);
  if (userId === undefined || image === undefined || synced === undefined) return undefined;
  const upsert = change.newImage !== undefined;
  const stamp = upsert ? (change.newImage?.updatedAt ?? change.newImage?.addedAt) : undefined;
  return {
    userId,
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
 * Numbers the changes of each user in stream order and appends them to the user's feed.
 *
 * Why this is gap-free: a user's items stay in one partition (the table's LSI sees to that), so
 * their changes reach one invocation at a time, each item's changes in commit order. Within a
 * user, entries are written one after another, each committed before the next number is
 * chosen, so entries become visible in number order and a reader that has seen number n can
 * never later find an entry below n. A redelivered change is recognised by its stream sequence
 * number and not numbered twice. docs/SYNC.md has the whole argument.
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
): Promise<{ written: FeedWrite[]; firstFailure: number; refused: FeedRefusal[] }> {
  const byUser = new Map<string, { changeIndex: number; entry: Omit<FeedEntry, 'entity' | 'seq'> }[]>();
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
    list.push({ changeIndex, entry: wanted.entry });
    byUser.set(wanted.userId, list);
  });

  const written: FeedWrite[] = [];
  let firstFailure = changes.length;
  await Promise.all(
    [...byUser].map(async ([userId, pending]) => {
      let last: FeedEntry | undefined;
      try {
        last = await lastFeedEntry(userId);
      } catch (error) {
        // An unreadable newest entry would fail every change of this user, now and on every retry.
        if (!isPermanentError(error)) return fail(pending[0]?.changeIndex ?? 0, error);
        refused.push(...pending.map(({ changeIndex }) => ({ changeIndex, error })));
        return;
      }
      let lastSeq = last?.seq;
      let lastStreamSeq = last?.streamSeq;
      for (const { changeIndex, entry } of pending) {
        if (!streamSeqAfter(entry.streamSeq, lastStreamSeq)) continue;
        const seq = nextSeq(lastSeq, now());
        const full = { ...entry, seq };
        try {
          await appendFeedEntry(userId, full, Math.ceil((now() + feedRetentionMs) / 1000));
        } catch (error) {
          if (!isPermanentError(error)) return fail(changeIndex, error);
          // Nothing was written under `seq`, so the next change takes it: numbers stay dense.
          refused.push({ changeIndex, error });
          continue;
        }
        written.push({ changeIndex, userId, entry: full });
        lastSeq = seq;
        lastStreamSeq = entry.streamSeq;
      }
    }),
  );
  return { written, firstFailure, refused: refused.sort((a, b) => a.changeIndex - b.changeIndex) };

  function fail(changeIndex: number, error: unknown): void {
    logger.error('feed entry not written; the batch is retried from here', { changeIndex, error: error as Error });
    firstFailure = Math.min(firstFailure, changeIndex);
  }
}

function originOf(image: Record<string, unknown>): { origin?: FeedEntry['origin'] } {
  const parsed = originSchema.safeParse(image.origin);
  return parsed.success ? { origin: parsed.data } : {};
}
