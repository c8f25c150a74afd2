import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { syncDeviceKey, syncSessionKey } from '../../lambdas/sync/sync-session-item';
import { call, createAsset, endpoints, newAssetId, newUserId, tokenFor } from '../support/api';
import { pull, waitForChanges } from '../support/feed';
import { complete, openSession, pullWindow, push } from '../support/sync';
import { itemsOfUser } from '../support/table';

async function waitUntilNumbered(token: string, count: number) {
  const start = (await pull(token)).cursor;
  return { start, wait: () => waitForChanges(token, start, count) };
}

describe('sync sessions', () => {
  it('gives a new device a snapshot, then windows that follow its completed position', async () => {
    const token = await tokenFor(newUserId('sync'));
    const [a, b] = await Promise.all([createAsset(), createAsset()]);
    const feed = await waitUntilNumbered(token, 1);
    await call('PUT', `/v1/watchlist/${a}`, { token });
    await feed.wait();

    const first = await openSession(token, 'tv');
    expect(first.since).toBeNull();
    const snapshot = await pullWindow(token, first.sessionId);
    expect(snapshot.map((c) => [c.type, c.key, c.op])).toEqual([['watchlist', a, 'upsert']]);
    expect(await complete(token, first.sessionId)).toBe(first.until);

    const more = await waitUntilNumbered(token, 1);
    await call('PUT', `/v1/progress/${b}`, { token, body: { progress: 9 } });
    await more.wait();
    const second = await openSession(token, 'tv');
    expect(second.since).toBe(first.until);
    const window = await pullWindow(token, second.sessionId);
    expect(window.map((c) => [c.type, c.key])).toEqual([['progress', b]]);
    expect(window[0]?.seq).toBeGreaterThan(first.until);
    expect(window[0]?.seq).toBeLessThanOrEqual(second.until);
  });

  it('follows a title being played: the newest entry rewritten in place after a window closed reaches the next window', async () => {
    const token = await tokenFor(newUserId('sync'));
    const asset = await createAsset();
    const base = await openSession(token, 'phone');
    await complete(token, base.sessionId);
    for (let progress = 1; progress <= 3; progress++) {
      const session = await openSession(token, 'phone');
      const numbered = await waitUntilNumbered(token, 1);
      await call('PUT', `/v1/progress/${asset}`, { token, body: { progress } });
      await numbered.wait();
      // This window closed before the write: it holds what the last session already had, or nothing.
      expect((await pullWindow(token, session.sessionId)).every((c) => (c.value as { progress: number }).progress < progress)).toBe(true);
      await complete(token, session.sessionId);
      const next = await openSession(token, 'phone');
      const window = await pullWindow(token, next.sessionId);
      expect(window.map((c) => (c.value as { progress: number }).progress)).toEqual([progress]);
      expect(window[0]?.seq).toBeGreaterThan(next.since ?? Infinity);
      await complete(token, next.sessionId);
    }
    const last = await openSession(token, 'phone');
    expect(await pullWindow(token, last.sessionId)).toEqual([]);
  });

  it('moves the position only on complete: a session never completed changes nothing', async () => {
    const token = await tokenFor(newUserId('sync'));
    const asset = await createAsset();
    const base = await openSession(token, 'phone');
    await complete(token, base.sessionId);
    const feed = await waitUntilNumbered(token, 1);
    await call('PUT', `/v1/watchlist/${asset}`, { token });
    await feed.wait();

    const abandoned = await openSession(token, 'phone');
    expect((await pullWindow(token, abandoned.sessionId)).map((c) => c.key)).toEqual([asset]);
    // The device crashes here: no complete.
    const retry = await openSession(token, 'phone');
    expect(retry.since).toBe(abandoned.since);
    expect((await pullWindow(token, retry.sessionId)).map((c) => c.key)).toEqual([asset]);
    expect(await complete(token, retry.sessionId)).toBe(retry.until);
    // Completing the older session afterwards never moves the position back.
    expect(await complete(token, abandoned.sessionId)).toBe(retry.until);
    const after = await openSession(token, 'phone');
    expect(after.since).toBe(retry.until);
    expect(await pullWindow(token, after.sessionId)).toEqual([]);
  });

  it('keeps devices apart: each has its own position', async () => {
    const token = await tokenFor(newUserId('sync'));
    const asset = await createAsset();
    const phone = await openSession(token, 'phone');
    await complete(token, phone.sessionId);
    const feed = await waitUntilNumbered(token, 1);
    await call('PUT', `/v1/watchlist/${asset}`, { token });
    await feed.wait();
    const tablet = await openSession(token, 'tablet');
    expect(tablet.since).toBeNull();
    const phoneAgain = await openSession(token, 'phone');
    expect(phoneAgain.since).toBe(phone.until);
  });

  it('applies each mutation on its own: valid ones apply, bad ones are rejected and write nothing', async () => {
    const userId = newUserId('push');
    const token = await tokenFor(userId);
    const asset = await createAsset({ durationSeconds: 100 });
    const session = await openSession(token, 'phone');
    const results = await push(token, session.sessionId, [
      { id: 'm1', type: 'watchlist', op: 'upsert', key: asset.toUpperCase() },
      { id: 'm2', type: 'progress', op: 'upsert', key: asset, value: { progress: 101 } },
      { id: 'm3', type: 'mystery', op: 'upsert', key: asset },
      { id: 'm4', type: 'progress', op: 'upsert', key: 'not-a-uuid', value: { progress: 1 } },
      { id: 'm5', type: 'progress', op: 'upsert', key: asset, value: { progress: '1' } },
      { id: 'm6', type: 'watchlist', op: 'upsert' },
      { id: 'm7', type: 'watchlist', op: 'upsert', key: newAssetId() },
      { type: 'watchlist', op: 'upsert', key: asset },
      'not even an object',
      { id: 'm10', type: 'progress', op: 'upsert', key: asset, value: { progress: 42 }, extra: true },
      { id: 'm11', type: 'progress', op: 'upsert', key: asset, value: { progress: 42 } },
    ]);
    expect(results.map((r) => r.status)).toEqual(['applied', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected', 'applied']);
    const fields = (r: Record<string, unknown>) => ((r.problem as { errors?: { field: string }[] }).errors ?? []).map((e) => e.field);
    expect(fields(results[1] ?? {})).toEqual(['body.mutations.1.value.progress']);
    expect(fields(results[2] ?? {})).toEqual(['body.mutations.2.type']);
    expect(fields(results[3] ?? {})).toEqual(['body.mutations.3.key']);
    expect(fields(results[4] ?? {})).toEqual(['body.mutations.4.value']);
    expect(fields(results[5] ?? {})).toEqual(['body.mutations.5.key']);
    expect((results[6]?.problem as { status: number } | undefined)?.status).toBe(404);
    expect(fields(results[7] ?? {})).toEqual(['body.mutations.7.id']);
    expect(fields(results[9] ?? {})).toEqual(['body.mutations.9.extra']);
    const items = await itemsOfUser(userId);
    const data = items.filter((i) => i.entity === 'watchlist-item' || i.entity === 'progress');
    expect(data.map((i) => [i.entity, i.assetId, i.progress])).toEqual([
      ['progress', asset, 42],
      ['watchlist-item', asset, undefined],
    ]);
  });

  it('refuses malformed push bodies as a whole', async () => {
    const token = await tokenFor(newUserId('push'));
    const session = await openSession(token, 'phone');
    for (const body of [{}, { mutations: [] }, { mutations: 'x' }, { mutations: Array.from({ length: 101 }, () => ({})) }, { mutations: [{}], extra: 1 }]) {
      const response = await call('POST', `/v1/sync/sessions/${session.sessionId}/push`, { token, body });
      expect(response.status, JSON.stringify(body).slice(0, 60)).toBe(400);
    }
  });

  it("answers another user's session id, and an unknown one, with 404 on every step", async () => {
    const alice = await tokenFor(newUserId('alice'));
    const bob = await tokenFor(newUserId('bob'));
    const session = await openSession(alice, 'phone');
    for (const sessionId of [session.sessionId, newAssetId()]) {
      const responses = [
        await call('POST', `/v1/sync/sessions/${sessionId}/push`, { token: bob, body: { mutations: [{ id: 'x', type: 'watchlist', op: 'delete', key: newAssetId() }] } }),
        await call('GET', `/v1/sync/sessions/${sessionId}/pull`, { token: bob }),
        await call('POST', `/v1/sync/sessions/${sessionId}/complete`, { token: bob }),
      ];
      for (const response of responses) {
        expect(response.status).toBe(404);
        expect((response.json as { type: string }).type).toBe('urn:playhead:problem:session-not-found');
      }
    }
    expect((await call('GET', '/v1/sync/sessions/not-a-uuid/pull', { token: alice })).status).toBe(400);
  });

  it('sends a device whose position is older than the retention window into a full resync', async () => {
    const userId = newUserId('stale');
    const token = await tokenFor(userId);
    const session = await openSession(token, 'phone');
    await complete(token, session.sessionId);
    const client = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: endpoints.dynamodb, region: endpoints.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    );
    await client.send(
      new UpdateCommand({
        TableName: endpoints.tableName,
        Key: syncDeviceKey(userId, 'phone'),
        UpdateExpression: 'SET positionIssuedAt = :old',
        ExpressionAttributeValues: { ':old': Date.now() - 31 * 24 * 3600 * 1000 },
      }),
    );
    expect((await openSession(token, 'phone')).since).toBeNull();
  });

  it('rejects bad device ids', async () => {
    const token = await tokenFor(newUserId('dev'));
    for (const deviceId of ['', 'a b', 'x'.repeat(129), 42]) {
      const response = await call('POST', '/v1/sync/sessions', { token, body: { deviceId } });
      expect(response.status).toBe(400);
      expect((response.json as { errors: { field: string }[] }).errors[0]?.field).toBe('body.deviceId');
    }
  });
});

describe('sync bookkeeping lifetimes', () => {
  const documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: endpoints.dynamodb, region: endpoints.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  );

  it('expires sessions: a session past its time answers 404 on every step', async () => {
    const userId = newUserId('expiry');
    const token = await tokenFor(userId);
    const session = await openSession(token, 'phone');
    await documents.send(
      new UpdateCommand({
        TableName: endpoints.tableName,
        Key: syncSessionKey(userId, session.sessionId),
        UpdateExpression: 'SET expiresAtMs = :past',
        ExpressionAttributeValues: { ':past': Date.now() - 1000 },
      }),
    );
    expect((await call('GET', `/v1/sync/sessions/${session.sessionId}/pull`, { token })).status).toBe(404);
    expect((await call('POST', `/v1/sync/sessions/${session.sessionId}/complete`, { token })).status).toBe(404);
  });

  it('keeps the localId mapping for the retention window and the origin on the record itself', async () => {
    const userId = newUserId('mapping');
    const token = await tokenFor(userId);
    const session = await openSession(token, 'phone');
    const [result] = await push(token, session.sessionId, [{ id: 'm1', type: 'dataset-record', op: 'upsert', localId: 'n1', dataset: 'notes', value: 'hi' }]);
    const items = await itemsOfUser(userId);
    const mapping = items.find((i) => i.entity === 'local-id');
    const retentionSeconds = 30 * 24 * 3600;
    expect(mapping).toMatchObject({ type: 'dataset-record', key: result?.key });
    expect(Math.abs(Number(mapping?.expiresAt) - (Date.now() / 1000 + retentionSeconds))).toBeLessThan(120);
    const record = items.find((i) => i.entity === 'dataset-record');
    expect(record?.origin).toEqual({ deviceId: 'phone', localId: 'n1' });
    expect(record).not.toHaveProperty('expiresAt');
  });
});
