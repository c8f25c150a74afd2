import { beforeAll, describe, expect, it } from 'vitest';
import type { ItemChange } from '../../lambdas/events/item-change';
import { newAssetId, newUserId } from '../support/api';
import { pointHandlersAtLocalStack } from '../support/handler-env';

// The feed writer runs here against the stack's DynamoDB Local, as the stream router would.
let appendChangesToFeed: typeof import('../../lambdas/sync/feed-writer').appendChangesToFeed;
let feedEntriesAfter: typeof import('../../lambdas/sync/feed-store').feedEntriesAfter;

beforeAll(async () => {
  pointHandlersAtLocalStack();
  ({ appendChangesToFeed } = await import('../../lambdas/sync/feed-writer'));
  ({ feedEntriesAfter } = await import('../../lambdas/sync/feed-store'));
});

let streamSeq = 10n ** 20n;
function watchlistAdd(userId: string, assetId: string): ItemChange {
  streamSeq += 1n;
  const item = { PK: `USER#${userId}`, SK: `WATCHLIST#${assetId}`, entity: 'watchlist-item', assetId, addedAt: new Date().toISOString() };
  return { changeId: `c-${streamSeq}`, streamSeq: String(streamSeq), occurredAt: item.addedAt, keys: { PK: item.PK, SK: item.SK }, oldImage: undefined, newImage: item };
}

describe('feed writer', () => {
  it('numbers each change once, in stream order, even when the stream delivers a batch again', async () => {
    const userId = newUserId('writer');
    const changes = Array.from({ length: 4 }, () => watchlistAdd(userId, newAssetId()));
    const first = await appendChangesToFeed(changes.slice(0, 3));
    expect(first.firstFailure).toBe(3);
    expect(first.written).toHaveLength(3);
    // Redelivery from the second change on, plus one new change.
    const second = await appendChangesToFeed(changes.slice(1));
    expect(second.written.map((w) => w.changeIndex)).toEqual([2]);
    const { entries } = await feedEntriesAfter(userId, 0, 100);
    expect(entries.map((e) => e.streamSeq)).toEqual(changes.map((c) => c.streamSeq));
    const seqs = entries.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(4);
  });

  it('keeps users apart and ignores items that are not synced types', async () => {
    const alice = newUserId('alice');
    const bob = newUserId('bob');
    const catalogChange: ItemChange = {
      changeId: 'catalog',
      streamSeq: String((streamSeq += 1n)),
      occurredAt: new Date().toISOString(),
      keys: { PK: 'ASSET#x', SK: 'ASSET' },
      oldImage: undefined,
      newImage: { PK: 'ASSET#x', SK: 'ASSET', entity: 'asset', assetId: 'x', title: 't' },
    };
    const result = await appendChangesToFeed([watchlistAdd(alice, newAssetId()), catalogChange, watchlistAdd(bob, newAssetId()), watchlistAdd(alice, newAssetId())]);
    expect(result.written.map((w) => [w.userId, w.changeIndex]).sort()).toEqual([[alice, 0], [alice, 3], [bob, 2]].sort());
    expect((await feedEntriesAfter(alice, 0, 10)).entries).toHaveLength(2);
    expect((await feedEntriesAfter(bob, 0, 10)).entries).toHaveLength(1);
  });
});
