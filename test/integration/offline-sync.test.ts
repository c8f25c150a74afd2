import { describe, expect, it } from 'vitest';
import { call, createAsset, newUserId, tokenFor } from '../support/api';
import { type Change, pull, pullAll, waitForChanges } from '../support/feed';
import { complete, openSession, pullWindow, push } from '../support/sync';
import { itemsOfUser } from '../support/table';

/** A device's view of the user's data: type/key → value, built only from what sync gave it. */
type DeviceState = Map<string, unknown>;

function apply(state: DeviceState, changes: Change[]): void {
  for (const change of changes) {
    const id = `${change.type}/${change.key}`;
    if (change.op === 'upsert') state.set(id, change.value);
    else state.delete(id);
  }
}

/** One full sync run of a device: open, (push), pull the window, complete. */
async function syncRun(token: string, deviceId: string, state: DeviceState, mutations: unknown[] = []) {
  const session = await openSession(token, deviceId);
  const results = mutations.length > 0 ? await push(token, session.sessionId, mutations) : [];
  const changes = await pullWindow(token, session.sessionId, 7);
  if (session.since === null) state.clear();
  apply(state, changes);
  await complete(token, session.sessionId);
  return { session, results, changes };
}

/** Waits until the stream router has numbered everything written so far. */
async function settle(token: string, expectedNewChanges: number, since: string) {
  await waitForChanges(token, since, expectedNewChanges);
}

describe('offline-first devices', () => {
  it('two devices, one offline creating records under local ids, end with identical data and server keys', async () => {
    const token = await tokenFor(newUserId('offline'));
    const [a1, a2] = await Promise.all([createAsset(), createAsset()]);
    const phone: DeviceState = new Map();
    const laptop: DeviceState = new Map();
    await syncRun(token, 'phone', phone);
    await syncRun(token, 'laptop', laptop);

    // The phone goes offline and makes changes; meanwhile the laptop works online.
    const offline = [
      { id: 'p1', type: 'dataset-record', op: 'upsert', localId: 'note-1', dataset: 'notes', value: { text: 'buy popcorn' } },
      { id: 'p2', type: 'dataset-record', op: 'upsert', localId: 'note-2', dataset: 'notes', value: { text: 'call mum' } },
      { id: 'p3', type: 'watchlist', op: 'upsert', key: a1 },
      { id: 'p4', type: 'progress', op: 'upsert', key: a1, value: { progress: 120 } },
    ];
    const before = (await pull(token)).cursor;
    await call('PUT', `/v1/watchlist/${a2}`, { token });
    await call('PUT', '/v1/datasets/notes/records/shared', { token, body: { value: { text: 'from the laptop' } } });
    await settle(token, 2, before);

    // The phone comes back: push, pull, complete.
    const beforePush = (await pull(token)).cursor;
    const back = await syncRun(token, 'phone', phone, offline);
    expect(back.results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied', 'applied']);
    const keyOf = (localId: string) => back.results.find((r) => r.localId === localId)?.key as string;
    expect(keyOf('note-1')).toMatch(/^notes\/[0-9a-f-]{36}$/);
    expect(keyOf('note-2')).not.toBe(keyOf('note-1'));
    // The phone's own records, now under their server keys, from the push results.
    for (const r of back.results) phone.set(`${r.type}/${r.key}`, r.value);

    // One more run each, after the phone's pushes reached the feed.
    await settle(token, 4, beforePush);
    const phoneAgain = await syncRun(token, 'phone', phone);
    await syncRun(token, 'laptop', laptop);
    // The phone's records come back with their local ids.
    const own = phoneAgain.changes.filter((c) => c.localId !== undefined);
    expect(own.map((c) => [c.localId, c.key]).sort()).toEqual([
      ['note-1', keyOf('note-1')],
      ['note-2', keyOf('note-2')],
    ]);
    expect(phoneAgain.changes.filter((c) => c.type === 'watchlist').every((c) => c.localId === undefined)).toBe(true);

    const server: DeviceState = new Map();
    apply(server, (await pullAll(token)).changes);
    expect(phone).toEqual(server);
    expect(laptop).toEqual(server);
    expect([...server.keys()].sort()).toEqual(
      [`watchlist/${a1}`, `watchlist/${a2}`, `progress/${a1}`, 'dataset-record/notes/shared', `dataset-record/${keyOf('note-1')}`, `dataset-record/${keyOf('note-2')}`].sort(),
    );
  });

  it('a push sent again (its answer was lost) returns the same results and creates nothing new', async () => {
    const userId = newUserId('retry');
    const token = await tokenFor(userId);
    const session = await openSession(token, 'phone');
    const mutations = [
      { id: 'm1', type: 'dataset-record', op: 'upsert', localId: 'draft-1', dataset: 'drafts', value: { title: 'one' } },
      { id: 'm2', type: 'dataset-record', op: 'upsert', localId: 'draft-2', dataset: 'drafts', value: { title: 'two' } },
    ];
    const first = await push(token, session.sessionId, mutations);
    const again = await push(token, session.sessionId, mutations);
    // Even from a new session (the first one expired or was lost).
    const later = await push(token, (await openSession(token, 'phone')).sessionId, mutations);
    expect(again).toEqual(first);
    expect(later).toEqual(first);
    const records = (await itemsOfUser(userId)).filter((i) => i.entity === 'dataset-record');
    expect(records).toHaveLength(2);

    // An update with a base version, sent twice, is applied once.
    const key = first[0]?.key as string;
    const update = [{ id: 'm3', type: 'dataset-record', op: 'upsert', key, value: { title: 'one, edited' }, baseVersion: 1 }];
    const u1 = await push(token, session.sessionId, update);
    const u2 = await push(token, session.sessionId, update);
    expect(u1[0]?.status).toBe('applied');
    expect(u2).toEqual(u1);
    expect((u1[0]?.value as { version: number } | undefined)?.version).toBe(2);
  });

  it('a retried push never undoes what other devices did in between', async () => {
    const token = await tokenFor(newUserId('undo'));
    const asset = await createAsset();
    const phone = await openSession(token, 'phone');
    const mutations = [
      { id: 'r1', type: 'watchlist', op: 'upsert', key: asset },
      { id: 'r2', type: 'progress', op: 'upsert', key: asset, value: { progress: 10 } },
      { id: 'r3', type: 'dataset-record', op: 'upsert', key: 'prefs/theme', value: 'dark' },
    ];
    const first = await push(token, phone.sessionId, mutations);
    // The phone never got that answer. Meanwhile the laptop changes all three.
    await call('DELETE', `/v1/watchlist/${asset}`, { token });
    await call('PUT', `/v1/progress/${asset}`, { token, body: { progress: 500 } });
    await call('PUT', '/v1/datasets/prefs/records/theme', { token, body: { value: 'light' } });
    const retried = await push(token, phone.sessionId, mutations);
    expect(retried).toEqual(first);
    expect((await call('GET', '/v1/watchlist', { token })).json).toEqual([]);
    expect((await call('GET', `/v1/progress/${asset}`, { token })).json).toMatchObject({ progress: 500 });
    expect((await call('GET', '/v1/datasets/prefs/records/theme', { token })).json).toMatchObject({ value: 'light', version: 2 });
  });

  it('a second offline edit of a record created under a local id updates it', async () => {
    const token = await tokenFor(newUserId('edit'));
    const session = await openSession(token, 'phone');
    const results = await push(token, session.sessionId, [
      { id: 'e1', type: 'dataset-record', op: 'upsert', localId: 'n1', dataset: 'notes', value: 'first' },
      { id: 'e2', type: 'dataset-record', op: 'upsert', localId: 'n1', dataset: 'notes', value: 'second' },
    ]);
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied']);
    expect(results[1]?.key).toBe(results[0]?.key);
    expect(results[1]?.value).toMatchObject({ value: 'second', version: 2 });
    const [dataset, key] = String(results[0]?.key).split('/');
    expect((await call('GET', `/v1/datasets/${dataset}/records/${key}`, { token })).json).toMatchObject({ value: 'second' });
  });

  it('answers a stale base version with a conflict carrying the server record, writing nothing', async () => {
    const token = await tokenFor(newUserId('conflict'));
    await call('PUT', '/v1/datasets/prefs/records/theme', { token, body: { value: 'dark' } });
    await call('PUT', '/v1/datasets/prefs/records/theme', { token, body: { value: 'light' } });
    const session = await openSession(token, 'tv');
    const [result] = await push(token, session.sessionId, [
      { id: 'c1', type: 'dataset-record', op: 'upsert', key: 'prefs/theme', value: 'sepia', baseVersion: 1 },
    ]);
    expect(result).toMatchObject({ status: 'conflict', key: 'prefs/theme', current: { value: 'light', version: 2 } });
    expect(((await call('GET', '/v1/datasets/prefs/records/theme', { token })).json as { value: string }).value).toBe('light');
    const [deleted] = await push(token, session.sessionId, [{ id: 'c2', type: 'dataset-record', op: 'delete', key: 'prefs/theme', baseVersion: 1 }]);
    expect(deleted?.status).toBe('conflict');
    const [ok] = await push(token, session.sessionId, [{ id: 'c3', type: 'dataset-record', op: 'delete', key: 'prefs/theme', baseVersion: 2 }]);
    expect(ok?.status).toBe('applied');
  });

  it('watchlist is a set and progress is last-writer-wins, in server order', async () => {
    const token = await tokenFor(newUserId('rules'));
    const asset = await createAsset();
    const phone = await openSession(token, 'phone');
    const tv = await openSession(token, 'tv');
    await push(token, phone.sessionId, [{ id: 'w1', type: 'watchlist', op: 'upsert', key: asset }]);
    await push(token, tv.sessionId, [{ id: 'w2', type: 'watchlist', op: 'delete', key: asset }]);
    expect((await call('GET', '/v1/watchlist', { token })).json).toEqual([]);
    await push(token, phone.sessionId, [{ id: 'w3', type: 'watchlist', op: 'upsert', key: asset }]);
    expect((await call('GET', '/v1/watchlist', { token })).json).toHaveLength(1);
    await push(token, tv.sessionId, [{ id: 'p1', type: 'progress', op: 'upsert', key: asset, value: { progress: 900 } }]);
    await push(token, phone.sessionId, [{ id: 'p2', type: 'progress', op: 'upsert', key: asset, value: { progress: 300 } }]);
    expect(((await call('GET', `/v1/progress/${asset}`, { token })).json as { progress: number }).progress).toBe(300);
  });

  it('rejects bad dataset mutations one by one', async () => {
    const userId = newUserId('bad');
    const token = await tokenFor(userId);
    const session = await openSession(token, 'phone');
    const results = await push(token, session.sessionId, [
      { id: 'b1', type: 'dataset-record', op: 'upsert', value: 1 },
      { id: 'b2', type: 'dataset-record', op: 'upsert', localId: 'x', value: 1 },
      { id: 'b3', type: 'dataset-record', op: 'upsert', key: 'no-slash', value: 1 },
      { id: 'b4', type: 'dataset-record', op: 'upsert', key: 'a/b', value: 'x'.repeat(40_000) },
      { id: 'b5', type: 'dataset-record', op: 'upsert', key: 'a/b', localId: 'y', value: 1 },
      { id: 'b6', type: 'dataset-record', op: 'upsert', key: 'a/b', value: 1 },
      { id: 'b7', type: 'constructor', op: 'upsert', key: 'a/b', value: 1 },
      { id: 'b8', type: '__proto__', op: 'upsert', key: 'a/b', value: 1 },
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected', 'rejected', 'applied', 'rejected', 'rejected']);
    for (const r of results.slice(6)) expect((r.problem as { status: number }).status).toBe(400);
    const fields = results.slice(0, 5).map((r) => (r.problem as { errors: { field: string }[] }).errors[0]?.field);
    expect(fields).toEqual([
      'body.mutations.0.key',
      'body.mutations.1.dataset',
      'body.mutations.2.key',
      'body.mutations.3.value',
      'body.mutations.4.localId',
    ]);
    expect((await itemsOfUser(userId)).filter((i) => i.entity === 'dataset-record')).toHaveLength(1);
  });
});
