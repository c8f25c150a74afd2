import { randomUUID } from 'node:crypto';
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { pushEnv, SECRETS_EXTENSION_PORT_ENV } from '../../lib/push-definitions';
import { call, createAsset, endpoints, newUserId, tokenFor } from '../support/api';
import { pull, waitForChanges } from '../support/feed';
import { pointHandlersAtLocalStack } from '../support/handler-env';
import { androidToken, iosToken, pushesTo, register, waitForPushes } from '../support/pushes';

async function person(label: string) {
  const id = newUserId(label);
  return { id, token: await tokenFor(id) };
}

/** A user with an iPhone and an Android tablet. */
async function withDevices(label: string) {
  const user = await person(label);
  const tokens = [iosToken(), androidToken()] as const;
  await register(user.token, 'iphone', 'ios', tokens[0]);
  await register(user.token, 'tablet', 'android', tokens[1]);
  return { ...user, tokens };
}

const hintSeq = (payload: unknown): number => {
  const { sync, data } = payload as { sync?: { seq: number }; data?: { sync?: string } };
  return sync?.seq ?? Number(data?.sync);
};

describe('sync hints', () => {
  it('100 progress writes wake no device; a watchlist change after them does', async () => {
    const viewer = await withDevices('viewer');
    const assetId = await createAsset({ durationSeconds: 7200 });
    const since = (await pull(viewer.token)).cursor;
    for (let second = 5; second <= 500; second += 5) {
      expect((await call('PUT', `/v1/progress/${assetId}`, { token: viewer.token, body: { progress: second } })).status).toBe(200);
    }
    await waitForChanges(viewer.token, since, 1, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await pushesTo(...viewer.tokens)).toEqual([]);

    // The same pipeline, a type that does wake devices: one hint each.
    await call('PUT', `/v1/watchlist/${assetId}`, { token: viewer.token });
    for (const token of viewer.tokens) expect(await waitForPushes(token, (pushes) => pushes.length >= 1)).toHaveLength(1);
  });

  it('20 watchlist changes in a minute give each device one hint now (the trailing one is due after the window)', async () => {
    const editor = await withDevices('editor');
    const assets = await Promise.all(Array.from({ length: 10 }, () => createAsset()));
    for (const assetId of assets) await call('PUT', `/v1/watchlist/${assetId}`, { token: editor.token });
    for (const assetId of assets) await call('DELETE', `/v1/watchlist/${assetId}`, { token: editor.token });
    for (const token of editor.tokens) {
      const pushes = await waitForPushes(token, (p) => p.length >= 1, { quietMs: 3000 });
      expect(pushes.length).toBeGreaterThanOrEqual(1);
      expect(pushes.length).toBeLessThanOrEqual(2);
      const [first] = pushes;
      if (first === undefined) throw new Error('no hint');
      expect(first.platform === 'ios' ? first.headers['apns-collapse-id'] : (first.payload as { android: { collapse_key: string } }).android.collapse_key).toBe('sync');
    }
  });

  it('with a 2 s window: a leading hint, at most one a window after, and a trailing hint naming the last change', async () => {
    // This sender runs in the test process, with its own short window, against the stack's fakes;
    // the trailing hint it schedules is sent by the stack's sender, which reads when it is due from the device.
    pointHandlersAtLocalStack();
    Object.assign(process.env, {
      AWS_SESSION_TOKEN: endpoints.push.sessionToken,
      [SECRETS_EXTENSION_PORT_ENV]: String(endpoints.push.secretsPort),
      [pushEnv.credentialsSecretId]: endpoints.push.secretId,
      [pushEnv.apnsEndpoint]: endpoints.push.apns,
      [pushEnv.apnsSandboxEndpoint]: endpoints.push.apns,
      [pushEnv.fcmEndpoint]: endpoints.push.fcm,
      [pushEnv.fcmTokenEndpoint]: endpoints.push.fcmToken,
      [pushEnv.hintWindowSeconds]: '2',
    });
    const { handler } = await import('../../lambdas/push/handler');
    const user = await withDevices('busy');
    const notice = (seq: number, types: string[]): SQSEvent => ({
      Records: [{ messageId: randomUUID(), body: JSON.stringify({ userId: user.id, seq, types }) } as SQSEvent['Records'][number]],
    });
    const started = Date.now();
    for (let seq = 1; seq <= 20; seq++) {
      const answer = await handler(notice(seq, seq % 2 === 0 ? ['progress', 'watchlist'] : ['favourite']));
      expect(answer.batchItemFailures).toEqual([]);
    }
    // Progress alone never hints, even when a trailing hint is pending.
    await handler(notice(21, ['progress']));
    const fedForMs = Date.now() - started;
    for (const token of user.tokens) {
      const pushes = await waitForPushes(token, (p) => p.length >= 1 && hintSeq(p.at(-1)?.payload) === 20, { timeoutMs: 20_000, quietMs: 3000 });
      const seqs = pushes.map((push) => hintSeq(push.payload));
      // The first change is hinted at once, the last is always covered, and hints are a window apart.
      expect(seqs[0]).toBe(1);
      expect(seqs.at(-1)).toBe(20);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(pushes.length).toBeLessThanOrEqual(2 + Math.floor(fedForMs / 2000));
      const times = pushes.map((push) => Date.parse(push.at));
      for (let i = 1; i < times.length; i++) expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThanOrEqual(1900);
    }
    // The stack's sender and this one used one APNs provider token between them, the one in the table
    // (other test files push through the same fakes, so the fakes' own count is not this test's).
    const ios = await pushesTo(user.tokens[0]);
    expect(ios.length).toBeGreaterThan(1);
    expect(new Set(ios.map((push) => push.providerToken)).size).toBe(1);
  }, 60_000);
});
