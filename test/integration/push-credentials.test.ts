import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { pushEnv, SECRETS_EXTENSION_PORT_ENV } from '../../lib/push-definitions';
import { loadOrCreatePushCredentials } from '../../local/push-credentials';
import { startPushFakes } from '../../local/push-fakes';
import { call, endpoints, newUserId, tokenFor } from '../support/api';
import { pointHandlersAtLocalStack } from '../support/handler-env';
import { androidToken, iosToken, pushesTo, register } from '../support/pushes';

// A sender whose secret holds keys the push services do not know: its own secrets extension,
// the stack's APNs and FCM.
const foreign = await startPushFakes({
  credentials: await loadOrCreatePushCredentials(path.join(mkdtempSync(path.join(tmpdir(), 'playhead-foreign-')), 'push-credentials.json')),
  secretId: 'foreign',
  sessionToken: 'foreign-session',
});
afterAll(() => foreign.stop());
pointHandlersAtLocalStack();
Object.assign(process.env, {
  AWS_SESSION_TOKEN: 'foreign-session',
  [SECRETS_EXTENSION_PORT_ENV]: String(foreign.endpoints.secretsPort),
  [pushEnv.credentialsSecretId]: 'foreign',
  [pushEnv.apnsEndpoint]: endpoints.push.apns,
  [pushEnv.apnsSandboxEndpoint]: endpoints.push.apns,
  [pushEnv.fcmEndpoint]: endpoints.push.fcm,
  [pushEnv.fcmTokenEndpoint]: endpoints.push.fcmToken,
});
const { handler } = await import('../../lambdas/push/handler');

describe('credentials the push services refuse', () => {
  it('delete no device, send nothing, and leave the message to come again', async () => {
    const userId = newUserId('refused');
    const token = await tokenFor(userId);
    const tokens = [iosToken(), androidToken()];
    await register(token, 'iphone', 'ios', tokens[0] as string);
    await register(token, 'pixel', 'android', tokens[1] as string);
    const messageId = randomUUID();
    const event = { Records: [{ messageId, body: JSON.stringify({ userId, packet: { toDownload: [], outgoing: [], asOf: new Date().toISOString() } }) }] } as SQSEvent;

    const answer = await handler(event);
    expect(answer.batchItemFailures).toEqual([{ itemIdentifier: messageId }]);
    expect(((await call('GET', '/v1/devices', { token })).json as { deviceId: string }[]).map((d) => d.deviceId)).toEqual(['iphone', 'pixel']);
    expect(await pushesTo(...tokens)).toEqual([]);
    // The claims were given back: the same message delivered again tries again rather than being skipped.
    expect((await handler(event)).batchItemFailures).toEqual([{ itemIdentifier: messageId }]);
  });
});
