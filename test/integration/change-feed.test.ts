import { beforeAll, describe, expect, it } from 'vitest';
import { call, createAsset, newUserId, tokenFor } from '../support/api';
import { applyChanges, type Change, cursorSecret, pull, pullAll, waitForChanges, waitForFeed } from '../support/feed';

async function freshUser() {
  const userId = newUserId('feed');
  const token = await tokenFor(userId);
  const start = (await pull(token)).cursor;
  return { userId, token, start };
}

let encodeFeedCursor: typeof import('../../lambdas/sync/feed-cursor').encodeFeedCursor;
beforeAll(async () => {
  // The API's own encoder with the stack's secret, so these cursors sign exactly as issued ones do.
  process.env.FEED_CURSOR_SECRET = cursorSecret();
  ({ encodeFeedCursor } = await import('../../lambdas/sync/feed-cursor'));
});

/** A cursor signed with the real secret, for positions and times the API would not issue now. */
const craftCursor = (userId: string, seq: number, issuedAt: number): string => encodeFeedCursor(userId, { seq, issuedAt });

describe('GET /v1/changes', () => {
  it('lists the latest change of every item changed, in order, deletes included', async () => {
    const { token, start } = await freshUser();
    const a = await createAsset();
    const b = await createAsset();
    await call('PUT', `/v1/watchlist/${a}`, { token });
    await call('PUT', `/v1/progress/${b}`, { token, body: { progress: 10 } });
    await call('PUT', `/v1/progress/${b}`, { token, body: { progress: 20 } });
    await call('DELETE', `/v1/watchlist/${a}`, { token });
    // Superseded entries (the first progress, the watchlist addition) are compacted away.
    const changes = await waitForFeed(token, start, (cs) => cs.length === 2 && cs[1]?.op === 'delete');
    expect(changes.map((c) => [c.type, c.key, c.op])).toEqual([
      ['progress', b, 'upsert'],
      ['watchlist', a, 'delete'],
    ]);
    expect(changes[0]?.value).toMatchObject({ asset: b, progress: 20 });
    expect(changes[1]).not.toHaveProperty('value');
    expect(changes[1]?.seq).toBeGreaterThan(changes[0]?.seq ?? Infinity);
  });

  it('times a removal after the change before it and before the change after it, to the millisecond', async () => {
    const { token, start } = await freshUser();
    const [a, b] = await Promise.all([createAsset(), createAsset()]);
    await call('PUT', `/v1/watchlist/${a}`, { token });
    await call('PUT', `/v1/progress/${b}`, { token, body: { progress: 1 } });
    const before = Date.now();
    await call('DELETE', `/v1/watchlist/${a}`, { token });
    await call('PUT', `/v1/progress/${a}`, { token, body: { progress: 2 } });
    const changes = await waitForFeed(token, start, (cs) => cs.some((c) => c.type === 'progress' && c.key === a));
    expect(changes.map((c) => [c.type, c.key, c.op])).toEqual([
      ['progress', b, 'upsert'],
      ['watchlist', a, 'delete'],
      ['progress', a, 'upsert'],
    ]);
    const times = changes.map((c) => c.updatedAt);
    expect(times).toEqual([...times].sort());
    // Not rounded down to the stream's second (or, locally, its minute): never earlier than the change before it.
    expect(Date.parse(times[1] ?? '')).toBeGreaterThanOrEqual(Date.parse(times[0] ?? ''));
    expect(Date.parse(times[1] ?? '')).toBeLessThanOrEqual(Math.max(before, Date.parse(times[2] ?? '')));
  });

  it('gives a device without a cursor the current items, then only what changes after', async () => {
    const { token, start } = await freshUser();
    const assets = await Promise.all([createAsset(), createAsset(), createAsset()]);
    for (const id of assets) await call('PUT', `/v1/watchlist/${id}`, { token });
    await call('PUT', `/v1/progress/${assets[0]}`, { token, body: { progress: 5 } });
    await call('DELETE', `/v1/watchlist/${assets[2]}`, { token });
    // Once the removal is numbered, the snapshot's head is past every change (the addition it supersedes is gone).
    await waitForFeed(token, start, (cs) => cs.some((c) => c.op === 'delete'));

    const first = await pullAll(token, undefined, 1);
    // A device applies changes in order: the snapshot, then any feed entries after its head.
    const state = new Map<string, unknown>();
    for (const c of first.changes) {
      if (c.op === 'upsert') state.set(`${c.type}/${c.key}`, c.value);
      else state.delete(`${c.type}/${c.key}`);
    }
    expect([...state.keys()].sort()).toEqual([`progress/${assets[0]}`, `watchlist/${assets[0]}`, `watchlist/${assets[1]}`].sort());

    await call('PUT', `/v1/progress/${assets[1]}`, { token, body: { progress: 7 } });
    const next = await waitForChanges(token, first.cursor, 1);
    expect(next.map((c) => [c.type, c.key, c.op])).toEqual([['progress', assets[1], 'upsert']]);
  });

  it('pages with limit and hasMore, each change exactly once', async () => {
    const { token, start } = await freshUser();
    const assets = await Promise.all(Array.from({ length: 7 }, () => createAsset()));
    for (const [i, asset] of assets.entries()) await call('PUT', `/v1/progress/${asset}`, { token, body: { progress: i + 1 } });
    await waitForChanges(token, start, 7);
    const pages: Change[][] = [];
    let cursor = start;
    for (;;) {
      const page = await pull(token, cursor, 3);
      pages.push(page.changes);
      cursor = page.cursor;
      if (!page.hasMore) break;
    }
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat().map((c) => (c.value as { progress: number }).progress)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('is gap-free with 8 concurrent writers while a reader pulls: numbers only increase, values never go back, the last ones arrive', async () => {
    for (let round = 0; round < 3; round++) {
      const { token, start } = await freshUser();
      const assets = await Promise.all(Array.from({ length: 8 }, () => createAsset()));
      const writesPerWriter = 50;
      const seen: Change[] = [];
      let cursor = start;
      let writing = true;
      const finished = () => assets.every((asset) => seen.some((c) => c.key === asset && (c.value as { progress: number }).progress === writesPerWriter));
      const reader = (async () => {
        while (writing || !finished()) {
          const page = await pull(token, cursor, 37);
          seen.push(...page.changes);
          cursor = page.cursor;
          if (!page.hasMore) await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })();
      await Promise.all(
        assets.map(async (asset) => {
          for (let progress = 1; progress <= writesPerWriter; progress++) {
            const response = await call('PUT', `/v1/progress/${asset}`, { token, body: { progress } });
            expect(response.status).toBe(200);
          }
        }),
      );
      writing = false;
      await Promise.race([reader, new Promise((_, reject) => setTimeout(() => reject(new Error(`reader saw ${seen.length} changes, not yet every final value`)), 20_000))]);
      // Nothing more arrives later either: no entry appears at or below a cursor already passed.
      const late = await pullAll(token, cursor);
      expect(late.changes).toEqual([]);

      const seqs = seen.map((c) => c.seq);
      for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1] ?? 0);
      for (const asset of assets) {
        const values = seen.filter((c) => c.key === asset).map((c) => (c.value as { progress: number }).progress);
        for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThan(values[i - 1] ?? 0);
        expect(values.at(-1)).toBe(writesPerWriter);
      }
      expect(seen.length).toBeLessThanOrEqual(assets.length * writesPerWriter);
      // A device catching up afterwards gets each title once, at its final value.
      const after = await pullAll(token, start);
      expect(after.changes.map((c) => [c.key, (c.value as { progress: number }).progress]).sort()).toEqual(assets.map((a) => [a, writesPerWriter]).sort());
    }
  }, 120_000);

  it('compacts a 360-write run: a device following it ends on the final value, one catching up afterwards gets at most 2 changes', async () => {
    const { token, start } = await freshUser();
    const asset = await createAsset();
    const writes = 360;
    const followed: Change[] = [];
    let cursor = start;
    let writing = true;
    const follower = (async () => {
      while (writing || (followed.at(-1)?.value as { progress?: number } | undefined)?.progress !== writes) {
        const page = await pull(token, cursor);
        followed.push(...page.changes);
        cursor = page.cursor;
        if (!page.hasMore) await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    for (let progress = 1; progress <= writes; progress++) {
      expect((await call('PUT', `/v1/progress/${asset}`, { token, body: { progress } })).status).toBe(200);
    }
    writing = false;
    await Promise.race([follower, new Promise((_, reject) => setTimeout(() => reject(new Error(`follower saw ${followed.length} changes, not the last`)), 20_000))]);
    expect(applyChanges(followed).get(`progress/${asset}`)).toMatchObject({ progress: writes });
    const values = followed.map((c) => (c.value as { progress: number }).progress);
    expect(values).toEqual([...values].sort((x, y) => x - y));

    const caughtUp = await call('GET', `/v1/changes?since=${encodeURIComponent(start)}`, { token });
    const page = caughtUp.json as { changes: Change[]; hasMore: boolean };
    expect(page.hasMore).toBe(false);
    expect(page.changes.length).toBeLessThanOrEqual(2);
    expect(page.changes.at(-1)?.value).toMatchObject({ progress: writes });
    expect(Buffer.byteLength(caughtUp.text)).toBeLessThan(2048);
  }, 120_000);

  it('compacts interleaved writes: two titles alternating, an addition then its removal, a record edited between edits of others', async () => {
    const { token, start } = await freshUser();
    const [a, b, listed] = await Promise.all([createAsset(), createAsset(), createAsset()]);
    for (let i = 1; i <= 20; i++) {
      await call('PUT', `/v1/progress/${a}`, { token, body: { progress: i } });
      await call('PUT', `/v1/progress/${b}`, { token, body: { progress: 100 + i } });
    }
    await call('PUT', `/v1/watchlist/${listed}`, { token });
    await call('DELETE', `/v1/watchlist/${listed}`, { token });
    for (let i = 1; i <= 50; i++) {
      await call('PUT', '/v1/datasets/notes/records/draft', { token, body: { value: { text: `edit ${i}` } } });
      await call('PUT', `/v1/datasets/notes/records/other-${i % 3}`, { token, body: { value: { text: `other ${i}` } } });
    }
    const changes = await waitForFeed(token, start, (cs) => cs.length === 7 && cs.some((c) => c.key === 'notes/draft' && (c.value as { value: { text: string } }).value.text === 'edit 50'));
    expect(changes.map((c) => `${c.type}/${c.key}`).sort()).toEqual(
      [`progress/${a}`, `progress/${b}`, `watchlist/${listed}`, 'dataset-record/notes/draft', 'dataset-record/notes/other-0', 'dataset-record/notes/other-1', 'dataset-record/notes/other-2'].sort(),
    );
    expect(changes.find((c) => c.type === 'watchlist')?.op).toBe('delete');
    expect(applyChanges(changes).get(`progress/${b}`)).toMatchObject({ progress: 120 });
  }, 60_000);

  it('refuses a forged cursor and another user\'s cursor with 400, and a stale one with 410', async () => {
    const alice = await freshUser();
    const bob = await freshUser();
    const forged = `${alice.start.slice(0, -2)}xx`;
    for (const [token, since] of [
      [alice.token, forged],
      [bob.token, alice.start],
      [alice.token, 'garbage'],
      [alice.token, craftCursor(bob.userId, 0, Date.now())],
      [alice.token, `${alice.start.split('.')[0]}.${'é'.repeat(22)}`],
    ] as const) {
      const response = await call('GET', `/v1/changes?since=${encodeURIComponent(since)}`, { token });
      expect(response.status).toBe(400);
      expect((response.json as { errors: { field: string }[] }).errors[0]?.field).toBe('query.since');
    }
    const thirtyOneDaysAgo = Date.now() - 31 * 24 * 3600 * 1000;
    const stale = await call('GET', `/v1/changes?since=${craftCursor(alice.userId, 0, thirtyOneDaysAgo)}`, { token: alice.token });
    expect(stale.status).toBe(410);
    expect((stale.json as { type: string }).type).toBe('urn:playhead:problem:cursor-expired');
    const recent = await call('GET', `/v1/changes?since=${craftCursor(alice.userId, 0, Date.now() - 29 * 24 * 3600 * 1000)}`, { token: alice.token });
    expect(recent.status).toBe(200);
  });

  it('carries dataset records, empty objects and lists included', async () => {
    const { token, start } = await freshUser();
    const value = { empty: {}, nested: { inner: {} }, list: [], items: [{}] };
    expect((await call('PUT', '/v1/datasets/prefs/records/layout', { token, body: { value } })).status).toBe(200);
    expect((await call('PUT', '/v1/datasets/prefs/records/blank', { token, body: { value: {} } })).status).toBe(200);
    const changes = await waitForChanges(token, start, 2);
    expect(changes.map((c) => [c.type, c.key, (c.value as { value: unknown }).value])).toEqual([
      ['dataset-record', 'prefs/layout', value],
      ['dataset-record', 'prefs/blank', {}],
    ]);
  });

  it('stops a page before Lambda\'s response limit, whatever the limit asks', async () => {
    const { token, start } = await freshUser();
    const big = 'x'.repeat(31 * 1024);
    const count = 140;
    for (let i = 0; i < count; i += 10) {
      await Promise.all(
        Array.from({ length: 10 }, (_, j) => call('PUT', `/v1/datasets/big/records/r${String(i + j).padStart(3, '0')}`, { token, body: { value: big } })),
      );
    }
    await waitForChanges(token, start, count);
    const first = await call('GET', `/v1/changes?since=${encodeURIComponent(start)}&limit=1000`, { token });
    const page = first.json as { changes: unknown[]; hasMore: boolean; cursor: string };
    expect(page.hasMore).toBe(true);
    expect(page.changes.length).toBeLessThan(count);
    expect(Buffer.byteLength(first.text)).toBeLessThan(4.5 * 1024 * 1024);
    const rest = await pullAll(token, page.cursor, 1000);
    expect(page.changes.length + rest.changes.length).toBe(count);
  });

  it("never shows another user's changes", async () => {
    const alice = await freshUser();
    const bob = await freshUser();
    const asset = await createAsset();
    await call('PUT', `/v1/watchlist/${asset}`, { token: alice.token });
    await waitForChanges(alice.token, alice.start, 1);
    expect((await pullAll(bob.token, bob.start)).changes).toEqual([]);
    expect((await pullAll(bob.token)).changes).toEqual([]);
  });
});
