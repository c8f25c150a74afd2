import { beforeAll, describe, expect, it } from 'vitest';
import type { ItemChange } from '../../lambdas/events/item-change';
import { newAssetId, newUserId } from '../support/api';
import { COMPACTION_WINDOW } from '../../lambdas/sync/feed-entry';
import { cursorSecret } from '../support/feed';
import { pointHandlersAtLocalStack } from '../support/handler-env';

// The feed writer runs here against the stack's DynamoDB Local, as the stream router would.
let appendChangesToFeed: typeof import('../../lambdas/sync/feed-writer').appendChangesToFeed;
let feedEntriesAfter: typeof import('../../lambdas/sync/feed-store').feedEntriesAfter;
let writeFeedEntry: typeof import('../../lambdas/sync/feed-store').writeFeedEntry;
let readChanges: typeof import('../../lambdas/sync/feed-reader').readChanges;

beforeAll(async () => {
  pointHandlersAtLocalStack();
  process.env.FEED_CURSOR_SECRET = cursorSecret();
  ({ appendChangesToFeed } = await import('../../lambdas/sync/feed-writer'));
  ({ feedEntriesAfter, writeFeedEntry } = await import('../../lambdas/sync/feed-store'));
  ({ readChanges } = await import('../../lambdas/sync/feed-reader'));
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

function progressWrite(userId: string, assetId: string, progress: number): ItemChange {
  streamSeq += 1n;
  const now = new Date().toISOString();
  const item = { PK: `USER#${userId}`, SK: `PROGRESS#${assetId}`, entity: 'progress', assetId, progress, updatedAt: now };
  return { changeId: `c-${streamSeq}`, streamSeq: String(streamSeq), occurredAt: now, keys: { PK: item.PK, SK: item.SK }, oldImage: undefined, newImage: item };
}

function watchlistRemove(userId: string, assetId: string, occurredAt: string): ItemChange {
  const added = watchlistAdd(userId, assetId);
  return { ...added, occurredAt, oldImage: added.newImage, newImage: undefined };
}

const entriesOf = async (userId: string) => (await feedEntriesAfter(userId, { seq: 0 }, 1000)).entries;

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
    const { entries } = await feedEntriesAfter(userId, { seq: 0 }, 100);
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
    const { entries } = await feedEntriesAfter(alice, { seq: 0 }, 10);
    expect(entries.map((e) => e.key)).toEqual(['notes/small']);
    expect((await feedEntriesAfter(bob, { seq: 0 }, 10)).entries).toHaveLength(1);
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
    expect((await feedEntriesAfter(alice, { seq: 0 }, 10)).entries).toHaveLength(2);
    expect((await feedEntriesAfter(bob, { seq: 0 }, 10)).entries).toHaveLength(1);
  });

  it('gives an item one entry: a batch keeps its last change, a later batch removes the entry it supersedes', async () => {
    const userId = newUserId('compact');
    const [a, b] = [newAssetId(), newAssetId()];
    const first = await appendChangesToFeed([progressWrite(userId, a, 1), progressWrite(userId, b, 1), progressWrite(userId, a, 2), progressWrite(userId, a, 3)]);
    expect(first.written.map((w) => w.changeIndex)).toEqual([1, 3]);
    expect(first.firstFailure).toBe(4);
    for (let progress = 4; progress <= 30; progress++) await appendChangesToFeed([progressWrite(userId, progress % 2 === 0 ? a : b, progress)]);
    const entries = await entriesOf(userId);
    expect(entries.map((e) => [e.key, (e.value as { progress: number }).progress])).toEqual([
      [a, 30],
      [b, 29],
    ].sort((x, y) => Number(x[1]) - Number(y[1])));
  });

  it('numbers nothing twice when a batch of repeated changes is delivered again', async () => {
    const userId = newUserId('redeliver');
    const a = newAssetId();
    const batch = [progressWrite(userId, a, 1), watchlistAdd(userId, newAssetId()), progressWrite(userId, a, 2)];
    await appendChangesToFeed(batch);
    const again = await appendChangesToFeed(batch.slice(1));
    expect(again.written).toEqual([]);
    expect(again.removed).toBe(0);
    expect((await entriesOf(userId)).map((e) => e.streamSeq)).toEqual([batch[1]?.streamSeq, batch[2]?.streamSeq]);
  });

  it("removes a superseded entry a failed removal left behind, at the user's next batch", async () => {
    const userId = newUserId('heal');
    const a = newAssetId();
    await appendChangesToFeed([progressWrite(userId, a, 1)]);
    const [older] = await entriesOf(userId);
    if (!older) throw new Error('no entry');
    // As if the removal after this newer entry had failed: two entries of one item.
    await writeFeedEntry(userId, { ...older, seq: older.seq + 1, slot: older.seq + 1, value: { asset: a, progress: 2 }, streamSeq: String(BigInt(older.streamSeq) + 1n) }, Math.ceil(Date.now() / 1000) + 3600);
    streamSeq += 2n;
    const result = await appendChangesToFeed([watchlistAdd(userId, newAssetId())]);
    expect(result.removed).toBe(1);
    expect((await entriesOf(userId)).map((e) => e.type)).toEqual(['progress', 'watchlist']);
  });

  it('rewrites the newest entry in place for the next change of its item: one slot, a new number, and a cursor at the old number gets it', async () => {
    const userId = newUserId('in-place');
    const a = newAssetId();
    await appendChangesToFeed([watchlistAdd(userId, newAssetId()), progressWrite(userId, a, 1)]);
    const seen = await readChanges(userId, undefined, 100, { start: { seq: 0, issuedAt: Date.now() } });
    expect(seen.changes.map((c) => c.type)).toEqual(['watchlist', 'progress']);
    const before = await entriesOf(userId);
    const result = await appendChangesToFeed([progressWrite(userId, a, 2)]);
    expect(result.removed).toBe(0);
    const after = await entriesOf(userId);
    expect(after.map((e) => e.slot)).toEqual(before.map((e) => e.slot));
    expect(after[1]?.seq).toBeGreaterThan(before[1]?.seq ?? Infinity);
    // The device holding the cursor at the old number gets the rewritten entry, and only it.
    const next = await readChanges(userId, seen.cursor, 100);
    expect(next.changes.map((c) => [c.seq, (c.value as { progress: number }).progress])).toEqual([[after[1]?.seq, 2]]);
    expect((await readChanges(userId, next.cursor, 100)).changes).toEqual([]);
  });

  it('keeps an older entry of an item changed again past the window, and a reader still gets it once', async () => {
    const userId = newUserId('window');
    const a = newAssetId();
    await appendChangesToFeed([progressWrite(userId, a, 1)]);
    for (let i = 0; i < COMPACTION_WINDOW; i++) await appendChangesToFeed([watchlistAdd(userId, newAssetId())]);
    await appendChangesToFeed([progressWrite(userId, a, 2)]);
    expect((await entriesOf(userId)).filter((e) => e.key === a)).toHaveLength(2);
    const page = await readChanges(userId, undefined, 100, { start: { seq: 0, issuedAt: Date.now() } });
    expect(page.changes.filter((c) => c.key === a).map((c) => (c.value as { progress: number }).progress)).toEqual([2]);
    expect(page.changes).toHaveLength(COMPACTION_WINDOW + 1);
  });

  it("times a removal no earlier than the user's change before it, whatever the stream's rounding", async () => {
    const userId = newUserId('removal-time');
    const a = newAssetId();
    const roundedToTheMinute = new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString();
    const before = progressWrite(userId, newAssetId(), 5);
    await appendChangesToFeed([watchlistAdd(userId, a), before, watchlistRemove(userId, a, roundedToTheMinute)]);
    const entries = await entriesOf(userId);
    expect(entries.map((e) => [e.type, e.op])).toEqual([
      ['progress', 'upsert'],
      ['watchlist', 'delete'],
    ]);
    expect(entries[1]?.updatedAt).toBe(before.newImage?.updatedAt);
    // In a later batch, the newest entry read back sets the floor.
    const b = newAssetId();
    await appendChangesToFeed([watchlistAdd(userId, b)]);
    const added = (await entriesOf(userId)).at(-1)?.updatedAt ?? '';
    await appendChangesToFeed([watchlistRemove(userId, b, roundedToTheMinute)]);
    expect((await entriesOf(userId)).at(-1)).toMatchObject({ key: b, op: 'delete', updatedAt: added });
  });
});
