import type { ItemChange } from '../events/item-change';
import { userIdOfPartitionKey } from '../shared/keys';
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
 * Users are independent, so they are processed in parallel. Returns the entries written and the
 * index of the first change whose entry could not be written (changes.length when none).
 */
export async function appendChangesToFeed(changes: ItemChange[], now: () => number = Date.now): Promise<{ written: FeedWrite[]; firstFailure: number }> {
  const byUser = new Map<string, { changeIndex: number; entry: Omit<FeedEntry, 'entity' | 'seq'> }[]>();
  let unreadable = changes.length;
  changes.forEach((change, changeIndex) => {
    let wanted: ReturnType<typeof feedEntryFor>;
    try {
      wanted = feedEntryFor(change);
    } catch (error) {
      // An image that does not match its type: reported at its own index, so retries and the failure destination deal with this change, not its neighbours.
      logger.error('change does not match its synced type', { changeId: change.changeId, error: error as Error });
      unreadable = Math.min(unreadable, changeIndex);
      return;
    }
    if (!wanted) return;
    const list = byUser.get(wanted.userId) ?? [];
    list.push({ changeIndex, entry: wanted.entry });
    byUser.set(wanted.userId, list);
  });

  const written: FeedWrite[] = [];
  let firstFailure = unreadable;
  await Promise.all(
    [...byUser].map(async ([userId, pending]) => {
      let index = 0;
      try {
        const last = await lastFeedEntry(userId);
        let lastSeq = last?.seq;
        let lastStreamSeq = last?.streamSeq;
        for (; index < pending.length; index++) {
          const { changeIndex, entry } = pending[index] as (typeof pending)[number];
          if (changeIndex > unreadable) break;
          if (!streamSeqAfter(entry.streamSeq, lastStreamSeq)) continue;
          const seq = nextSeq(lastSeq, now());
          const full = { ...entry, seq };
          await appendFeedEntry(userId, full, Math.ceil((now() + feedRetentionMs) / 1000));
          written.push({ changeIndex, userId, entry: full });
          lastSeq = seq;
          lastStreamSeq = entry.streamSeq;
        }
      } catch (error) {
        const failedAt = pending[index]?.changeIndex ?? pending[0]?.changeIndex ?? 0;
        logger.error('feed entry not written', { changeIndex: failedAt, error: error as Error });
        firstFailure = Math.min(firstFailure, failedAt);
      }
    }),
  );
  return { written, firstFailure };
}

function originOf(image: Record<string, unknown>): { origin?: FeedEntry['origin'] } {
  const parsed = originSchema.safeParse(image.origin);
  return parsed.success ? { origin: parsed.data } : {};
}
