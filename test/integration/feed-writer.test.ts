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

function datasetWrite(userId: string, key: string, value: unknown): ItemChange {
  streamSeq += 1n;
  const now = new Date().toISOString();
  const item = { PK: `USER#${userId}`, SK: `DATASET#notes#${key}`, entity: 'dataset-record', dataset: 'notes', key, value, version: 1, updatedAt: now };
  return { changeId: `c-${streamSeq}`, streamSeq: String(streamSeq), occurredAt: now, keys: { PK: item.PK, SK: item.SK }, oldImage: undefined, newImage: item };
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

  it("refuses a change whose entry DynamoDB refuses, numbers that user's next change in its place, and holds back no one", async () => {
    const alice = newUserId('alice');
    const bob = newUserId('bob');
    // An entry over DynamoDB's 400 KB item limit (the routes cap a value at 32 KiB; this one came from elsewhere).
    const changes = [datasetWrite(alice, 'huge', 'x'.repeat(420 * 1024)), watchlistAdd(bob, newAssetId()), datasetWrite(alice, 'small', 'fine')];
    const result = await appendChangesToFeed(changes);
    expect(result.firstFailure).toBe(changes.length);
    expect(result.refused.map((r) => [r.changeIndex, (r.error as Error).name])).toEqual([[0, 'ValidationException']]);
    expect(result.written.map((w) => w.changeIndex).sort()).toEqual([1, 2]);
    const { entries } = await feedEntriesAfter(alice, 0, 10);
    expect(entries.map((e) => e.key)).toEqual(['notes/small']);
    expect((await feedEntriesAfter(bob, 0, 10)).entries).toHaveLength(1);
  });

  it('keeps users apart and ignores items that are not synced types', async () => {
    const alice = newUserId('alice');
    const bob = newUserId('bob');
    streamSeq += 1n;
    const catalogChange: ItemChange = {
      changeId: 'catalog',
      streamSeq: String(streamSeq),
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
