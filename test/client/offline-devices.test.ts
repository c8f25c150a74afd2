import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { call, createAsset, newUserId, tokenFor } from '../support/api';
import { converge, fileClient, scratchDir, UNREACHABLE } from '../support/client';

const TYPES = ['watchlist', 'progress', 'dataset-record'];

describe('two devices with file stores, one offline', () => {
  it('end with identical items and server keys; the records made offline get their keys', async () => {
    const token = await tokenFor(newUserId('client-offline'));
    const [a1, a2] = await Promise.all([createAsset({ durationSeconds: 3600 }), createAsset({ durationSeconds: 3600 })]);
    const dir = scratchDir('offline');
    const phoneFile = path.join(dir, 'phone.json');
    const laptop = fileClient(token, 'laptop', path.join(dir, 'laptop.json'));
    await fileClient(token, 'phone', phoneFile).synchronize();
    await laptop.synchronize();

    // Offline: the writes are readable at once and wait in the outbox under local ids.
    const offline = fileClient(token, 'phone', phoneFile, { baseUrl: UNREACHABLE, retry: { attempts: 1 } });
    await offline.open();
    const note = await offline.datasets.put('notes', { text: 'buy popcorn' });
    const second = await offline.datasets.put('notes', { text: 'call mum' });
    await offline.datasets.put('notes', { text: 'call mum, Sunday' }, { key: second.localId as string });
    await offline.watchlist.add(a1);
    await offline.progress.set(a1, 120);
    await offline.progress.flush();
    expect(note.localId).toMatch(/^l[0-9a-f]{32}$/);
    expect(offline.item('dataset-record', `notes/${note.key}`)).toMatchObject({ value: { text: 'buy popcorn' } });
    expect(offline.item('progress', a1)).toMatchObject({ progress: 120 });
    expect(offline.pending().map((p) => p.mutation.type)).toEqual(['dataset-record', 'dataset-record', 'dataset-record', 'watchlist', 'progress']);
    await expect(offline.synchronize()).rejects.toThrow(/network/);
    await offline.close();

    // Meanwhile the laptop works online.
    await laptop.watchlist.add(a2);
    await laptop.datasets.put('notes', { text: 'from the laptop' }, { key: 'shared' });
    await laptop.progress.set(a1, 30);
    await laptop.progress.flush();
    // Progress went at once with its own PUT (flush); the rest with the push.
    const online = await laptop.synchronize();
    expect(online.applied).toBe(2);
    expect(laptop.pending()).toEqual([]);

    // The phone comes back (a new process: its outbox comes from the file).
    const phone = fileClient(token, 'phone', phoneFile);
    await phone.open();
    expect(phone.pending()).toHaveLength(5);
    const back = await phone.synchronize();
    expect(back).toMatchObject({ pushed: 5, applied: 5, conflicts: [], rejected: [] });
    expect(phone.pending()).toEqual([]);
    const noteKey = phone.datasets.keyOf(note.localId as string);
    const secondKey = phone.datasets.keyOf(second.localId as string);
    expect(noteKey).toMatch(/^notes\/[0-9a-f-]{36}$/);
    expect(secondKey).toMatch(/^notes\/[0-9a-f-]{36}$/);
    // Re-keyed: nothing is left under the local id.
    expect(phone.item('dataset-record', `notes/${note.localId}`)).toBeUndefined();

    const both = await converge([phone, laptop], TYPES);
    expect(both.watchlist?.map((w) => (w as { asset: string }).asset).sort()).toEqual([a1, a2].sort());
    // Progress is last write wins in server order: the phone's 120 reached the server last.
    expect(both.progress).toEqual([expect.objectContaining({ asset: a1, progress: 120 })]);
    const records = both['dataset-record'] as Array<{ dataset: string; key: string; value: unknown; version: number }>;
    expect(records.map((r) => `${r.dataset}/${r.key}`).sort()).toEqual([noteKey, secondKey, 'notes/shared'].sort());
    expect(records.find((r) => `notes/${r.key}` === secondKey)).toMatchObject({ value: { text: 'call mum, Sunday' }, version: 2 });

    // The server agrees with both.
    const listed = await call('GET', '/v1/datasets/notes/records', { token });
    expect((listed.json as Array<{ key: string }>).map((r) => `notes/${r.key}`).sort()).toEqual([noteKey, secondKey, 'notes/shared'].sort());
    await Promise.all([phone.close(), laptop.close()]);
    // Convergence waits for the stream router, which a loaded machine slows.
  }, 60_000);
});
