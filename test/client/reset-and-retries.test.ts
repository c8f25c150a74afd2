import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createClient, memoryStore } from '../../client/src/index';
import { call, createAsset, endpoints, newUserId, tokenFor } from '../support/api';
import { contractFetch, fileClient, scratchDir } from '../support/client';
import { itemsOfUser, putItem } from '../support/table';

const DAY_MS = 24 * 3600 * 1000;

/** Moves a device's sync bookkeeping 31 days into the past: longer ago than the feed keeps changes. */
async function ageSyncState(userId: string, deviceId: string, sessionId?: string) {
  for (const item of await itemsOfUser(userId)) {
    if (item.SK === `SYNCDEVICE#${deviceId}`) await putItem({ ...item, positionIssuedAt: (item.positionIssuedAt as number) - 31 * DAY_MS });
    if (sessionId !== undefined && item.SK === `SYNCSESSION#${sessionId}`) await putItem({ ...item, sinceIssuedAt: (item.sinceIssuedAt as number) - 31 * DAY_MS });
  }
}

describe('a reset (since: null, or 410 during the pull)', () => {
  for (const how of ['since-null', '410']) {
    it(`rebuilds from the snapshot and keeps the writes not yet acknowledged (${how})`, async () => {
      const userId = newUserId(`client-reset-${how}`);
      const token = await tokenFor(userId);
      const [kept, removed, later] = await Promise.all([createAsset(), createAsset(), createAsset()]);
      const dir = scratchDir('reset');
      let onFirstPull: (() => Promise<void>) | undefined;
      let sessionId = '';
      const statuses: number[] = [];
      const device = fileClient(token, 'phone', path.join(dir, 'phone.json'), {
        fetch: async (input, init) => {
          const url = new URL(String(input));
          if (url.pathname.endsWith('/pull') && onFirstPull) {
            const run = onFirstPull;
            onFirstPull = undefined;
            await run();
          }
          const response = await contractFetch(input, init);
          if (url.pathname.endsWith('/pull')) statuses.push(response.status);
          if (url.pathname === '/v1/sync/sessions') sessionId = ((await response.clone().json()) as { sessionId: string }).sessionId;
          return response;
        },
      });
      await device.watchlist.add(kept);
      await device.watchlist.add(removed);
      await device.synchronize();
      expect(device.items('watchlist')).toHaveLength(2);

      // While the phone is away, another device removes a title: the phone will never see that change.
      await call('DELETE', `/v1/watchlist/${removed}`, { token });
      if (how === 'since-null') await ageSyncState(userId, 'phone');
      const pendingNote = await device.datasets.put('notes', { text: 'pushed in the same run' });
      onFirstPull = async () => {
        // 410: the session outlives the retention window between its push and its pull.
        if (how === '410') await ageSyncState(userId, 'phone', sessionId);
        // A write made while the run is between its push and its pull: not in the snapshot, still pending.
        await device.watchlist.add(later);
      };
      statuses.length = 0;

      const report = await device.synchronize();
      expect(report.reset).toBe(true);
      if (how === '410') expect(statuses).toEqual([410, 200]);
      else expect(statuses).toEqual([200]);
      expect(device.item('watchlist', removed)).toBeUndefined();
      expect(device.item('watchlist', kept)).toMatchObject({ asset: kept });
      expect(device.item('watchlist', later)).toMatchObject({ asset: later });
      expect(device.pending().map((p) => p.mutation.key)).toEqual([later]);
      const noteKey = device.datasets.keyOf(pendingNote.localId as string) as string;
      expect(device.item('dataset-record', noteKey)).toMatchObject({ value: { text: 'pushed in the same run' } });

      const next = await device.synchronize();
      expect(next).toMatchObject({ reset: false, applied: 1 });
      const watchlist = (await call('GET', '/v1/watchlist', { token })).json as Array<{ asset: string }>;
      expect(watchlist.map((w) => w.asset).sort()).toEqual([kept, later].sort());
      await device.close();
    });
  }
});

describe('retries', () => {
  const arrivals: Array<{ at: number; method: string; path: string; status: number }> = [];
  const script: Array<{ status: number; retryAfter?: string }> = [];
  const proxy = createServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      const scripted = req.url === '/v1/sync/sessions' ? script.shift() : undefined;
      if (scripted) {
        arrivals.push({ at: Date.now(), method: req.method ?? '', path: req.url ?? '', status: scripted.status });
        res.writeHead(scripted.status, { 'content-type': 'application/problem+json', ...(scripted.retryAfter ? { 'retry-after': scripted.retryAfter } : {}) });
        res.end(JSON.stringify({ type: 'urn:playhead:problem:internal-error', title: 'Busy', status: scripted.status }));
        return;
      }
      const upstream = await fetch(`${endpoints.api}${req.url}`, {
        method: req.method,
        headers: Object.fromEntries(Object.entries(req.headers).filter(([name]) => name === 'authorization' || name === 'content-type')) as Record<string, string>,
        body: body.length > 0 ? body : undefined,
      });
      arrivals.push({ at: Date.now(), method: req.method ?? '', path: req.url ?? '', status: upstream.status });
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
      res.end(Buffer.from(await upstream.arrayBuffer()));
    })();
  });
  const listening = new Promise<string>((resolve) => proxy.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`)));
  afterAll(() => new Promise<void>((resolve) => proxy.close(() => resolve())));

  it('back off with jitter, wait at least Retry-After, and share one run between concurrent calls', async () => {
    const baseUrl = await listening;
    const token = await tokenFor(newUserId('client-retry'));
    const assetId = await createAsset();
    script.push({ status: 429, retryAfter: '1' }, { status: 503 });
    // The top of each jittered step, so the waits can be checked exactly.
    const client = createClient({ baseUrl, token: () => token, deviceId: 'tv', store: memoryStore(), retry: { baseDelayMs: 100 }, random: () => 1 });
    await client.watchlist.add(assetId);
    const [first, second] = [client.synchronize(), client.synchronize()];
    expect(second).toBe(first);
    const report = await first;
    expect(report).toMatchObject({ pushed: 1, applied: 1 });

    const opens = arrivals.filter((a) => a.path === '/v1/sync/sessions');
    expect(opens.map((a) => a.status)).toEqual([429, 503, 201]);
    const [tooMany, unavailable, opened] = opens as [(typeof opens)[0], (typeof opens)[0], (typeof opens)[0]];
    // Retry-After: 1 is a floor over the first step (100 ms); the second step is 200 ms.
    expect(unavailable.at - tooMany.at).toBeGreaterThanOrEqual(1000);
    expect(unavailable.at - tooMany.at).toBeLessThan(1800);
    expect(opened.at - unavailable.at).toBeGreaterThanOrEqual(195);
    expect(opened.at - unavailable.at).toBeLessThan(900);
    // One run for both calls: one session, one push, one complete.
    expect(arrivals.filter((a) => a.path.endsWith('/push'))).toHaveLength(1);
    expect(arrivals.filter((a) => a.path.endsWith('/complete'))).toHaveLength(1);
  });

  it('give up at once on a Retry-After longer than the client waits', async () => {
    const baseUrl = await listening;
    const token = await tokenFor(newUserId('client-retry-long'));
    script.push({ status: 503, retryAfter: '3600' });
    const client = createClient({ baseUrl, token: () => token, deviceId: 'tv', store: memoryStore() });
    const started = Date.now();
    await expect(client.synchronize()).rejects.toMatchObject({ status: 503, retryAfterMs: 3_600_000 });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
