import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type Conflict, createClient, type DatasetRecord, MAX_PUSH_BODY_BYTES, memoryStore, type PendingMutation } from '../../client/src/index';
import { chunks } from '../../client/src/synchronize';
import { call, endpoints, newUserId, tokenFor } from '../support/api';
import { contractFetch } from '../support/client';

describe('synchronize() and the server', () => {
  it('reports a stale baseVersion to the callback with the server record, and takes that record', async () => {
    const token = await tokenFor(newUserId('client-conflict'));
    const conflicts: Conflict[] = [];
    const client = createClient({ baseUrl: endpoints.api, token: () => token, deviceId: 'laptop', store: memoryStore(), fetch: contractFetch, onConflict: (c) => conflicts.push(c) });
    await client.datasets.put('settings', { theme: 'dark' }, { key: 'ui' });
    await client.synchronize();
    const mine = client.item<DatasetRecord>('dataset-record', 'settings/ui');
    expect(mine).toMatchObject({ version: 1 });

    // Another device moves the record on; this one still edits version 1.
    await call('PUT', '/v1/datasets/settings/records/ui', { token, body: { value: { theme: 'light' } } });
    await client.datasets.put('settings', { theme: 'blue' }, { key: 'ui', baseVersion: mine?.version as number });
    const report = await client.synchronize();

    expect(report.conflicts).toHaveLength(1);
    expect(conflicts).toEqual([
      expect.objectContaining({ type: 'dataset-record', key: 'settings/ui', current: expect.objectContaining({ version: 2, value: { theme: 'light' } }) }),
    ]);
    expect(client.item('dataset-record', 'settings/ui')).toMatchObject({ version: 2, value: { theme: 'light' } });
    expect(client.pending()).toEqual([]);

    // Resolving it: write again on top of the server's version.
    await client.datasets.put('settings', { theme: 'blue' }, { key: 'ui', baseVersion: 2 });
    expect(await client.synchronize()).toMatchObject({ applied: 1, conflicts: [] });
    expect(client.item('dataset-record', 'settings/ui')).toMatchObject({ version: 3, value: { theme: 'blue' } });
  });

  it('cuts pushes at 100 mutations and before 512 KiB', () => {
    const entry = (seq: number, bytes: number): PendingMutation => ({
      seq,
      createdAt: '',
      mutation: { id: `m${seq}`, type: 'dataset-record', op: 'upsert', key: `big/k${seq}`, value: 'x'.repeat(bytes) },
    });
    expect(chunks(Array.from({ length: 250 }, (_, i) => entry(i, 10))).map((c) => c.length)).toEqual([100, 100, 50]);
    // 30 KiB values: 17 fit in 512 KiB with their envelopes, the 18th does not.
    const sizes = chunks(Array.from({ length: 40 }, (_, i) => entry(i, 30 * 1024))).map((c) => c.length);
    expect(sizes).toEqual([17, 17, 6]);
    for (const chunk of chunks(Array.from({ length: 40 }, (_, i) => entry(i, 30 * 1024)))) {
      expect(Buffer.byteLength(JSON.stringify({ mutations: chunk.map((c) => c.mutation) }))).toBeLessThanOrEqual(MAX_PUSH_BODY_BYTES);
    }
  });

  it('pushes a long outbox in chunks within the server limits and pulls every page', async () => {
    const token = await tokenFor(newUserId('client-chunks'));
    const paths: string[] = [];
    const counting: typeof fetch = (input, init) => {
      paths.push(new URL(String(input)).pathname.replace(/[0-9a-f-]{36}/, ':id'));
      return contractFetch(input, init);
    };
    const offline = createClient({ baseUrl: endpoints.api, token: () => token, deviceId: 'phone', store: memoryStore(), fetch: counting, pageLimit: 10 });
    // 101 mutations, so two pushes: 40 new records and 61 removals of titles never added (cheap for the server).
    for (let i = 0; i < 40; i++) await offline.datasets.put('bulk', { i });
    for (let i = 0; i < 61; i++) await offline.watchlist.remove(randomUUID());
    const report = await offline.synchronize();
    expect(report).toMatchObject({ pushed: 101, applied: 101, rejected: [] });
    expect(paths.filter((p) => p.endsWith('/push'))).toHaveLength(2);
    expect(offline.items('dataset-record')).toHaveLength(40);
    expect(offline.items('dataset-record').every((r) => !/^l[0-9a-f]{32}$/.test((r as DatasetRecord).key))).toBe(true);

    // A new device starts from a snapshot, page by page (10 a page).
    paths.length = 0;
    const fresh = createClient({ baseUrl: endpoints.api, token: () => token, deviceId: 'tablet', store: memoryStore(), fetch: counting, pageLimit: 10 });
    const first = await fresh.synchronize();
    expect(first).toMatchObject({ reset: true, pulled: 40 });
    expect(paths.filter((p) => p.endsWith('/pull')).length).toBeGreaterThanOrEqual(4);
    const values = fresh.items<DatasetRecord>('dataset-record').map((r) => (r.value as { i: number }).i);
    expect(values.sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });
});
