import { generateKeyPairSync } from 'node:crypto';
import { connect } from 'node:http2';
import { describe, expect, it } from 'vitest';
import { signCompactJwt } from '../../lambdas/push/compact-jwt';
import { loadOrCreatePushCredentials } from '../../local/push-credentials';
import { stateFiles } from '../../local/paths';
import { inject } from 'vitest';
import { endpoints } from '../support/api';
import { iosToken } from '../support/pushes';

/** The stack's own credentials (made on its first start), as the sender reads them. */
const credentials = await loadOrCreatePushCredentials(stateFiles(inject('stateDir')).pushCredentials);
const now = () => Math.floor(Date.now() / 1000);
const otherKey = (type: 'ec' | 'rsa') =>
  (type === 'ec'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256', privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } })
    : generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } })
  ).privateKey;

const providerToken = (overrides: { key?: string; kid?: string; iss?: string; iat?: number } = {}) =>
  signCompactJwt('ES256', { kid: overrides.kid ?? credentials.apns.keyId }, { iss: overrides.iss ?? credentials.apns.teamId, iat: overrides.iat ?? now() }, overrides.key ?? credentials.apns.privateKey);

/** One request to the fake APNs over cleartext HTTP/2. */
function apns(headers: Record<string, string>, body: string, token = iosToken()): Promise<{ status: number; reason?: string }> {
  return new Promise((resolve, reject) => {
    const session = connect(endpoints.push.apns);
    session.on('error', reject);
    const request = session.request({ ':method': 'POST', ':path': `/3/device/${token}`, 'content-type': 'application/json', ...headers });
    let status = 0;
    const chunks: Buffer[] = [];
    request.on('response', (h) => (status = Number(h[':status'])));
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      session.close();
      const text = Buffer.concat(chunks).toString('utf8');
      resolve({ status, reason: text === '' ? undefined : (JSON.parse(text) as { reason: string }).reason });
    });
    request.end(body);
  });
}
const background = { 'apns-push-type': 'background', 'apns-priority': '5', 'apns-topic': credentials.apns.topic };
const silent = JSON.stringify({ aps: { 'content-available': 1 } });

describe('the local APNs', () => {
  it('accepts a background push signed with the team key', async () => {
    expect(await apns({ authorization: `bearer ${providerToken()}`, ...background }, silent)).toEqual({ status: 200 });
  });

  it.each([
    ['no provider token', {}, 403, 'MissingProviderToken'],
    ['a token signed by another key', { authorization: `bearer ${providerToken({ key: otherKey('ec') })}` }, 403, 'InvalidProviderToken'],
    ['another key id', { authorization: `bearer ${providerToken({ kid: 'ABCDEFGHIJ' })}` }, 403, 'InvalidProviderToken'],
    ['another team', { authorization: `bearer ${providerToken({ iss: 'ABCDEFGHIJ' })}` }, 403, 'InvalidProviderToken'],
    ['a token older than an hour', { authorization: `bearer ${providerToken({ iat: now() - 3700 })}` }, 403, 'ExpiredProviderToken'],
  ])('refuses %s', async (_label, headers, status, reason) => {
    expect(await apns({ ...background, ...headers }, silent)).toEqual({ status, reason });
  });

  it.each([
    ['another topic', { 'apns-topic': 'com.example.other' }, silent, 400, 'TopicDisallowed'],
    ['priority 10 for a background push', { 'apns-priority': '10' }, silent, 400, 'BadPriority'],
    ['an alert in a background push', {}, JSON.stringify({ aps: { 'content-available': 1, alert: 'hi' } }), 400, 'BadPayload'],
    ['a payload over 4,096 bytes', {}, JSON.stringify({ aps: { 'content-available': 1 }, pad: 'x'.repeat(4096) }), 413, 'PayloadTooLarge'],
  ])('refuses %s', async (_label, headers, body, status, reason) => {
    expect(await apns({ authorization: `bearer ${providerToken()}`, ...background, ...headers }, body)).toEqual({ status, reason });
  });

  it('refuses a token that is not hex', async () => {
    expect(await apns({ authorization: `bearer ${providerToken()}`, ...background }, silent, 'not-a-token')).toEqual({ status: 400, reason: 'BadDeviceToken' });
  });
});

describe('the local FCM and its token endpoint', () => {
  const assertion = (key = credentials.fcm.private_key, claims: Record<string, unknown> = {}) =>
    signCompactJwt(
      'RS256',
      { typ: 'JWT' },
      { iss: credentials.fcm.client_email, scope: 'https://www.googleapis.com/auth/firebase.messaging', aud: endpoints.push.fcmToken, iat: now(), exp: now() + 3600, ...claims },
      key,
    );
  const grant = (jwt: string) =>
    fetch(endpoints.push.fcmToken, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: jwt }).toString() });
  const sendWith = (bearer: string | undefined, message: unknown) =>
    fetch(`${endpoints.push.fcm}/v1/projects/${credentials.fcm.project_id}/messages:send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }) },
      body: JSON.stringify({ message }),
    });

  it('sells an access token for the service account assertion, and takes a message with it', async () => {
    const answer = (await (await grant(assertion())).json()) as { access_token: string; expires_in: number };
    expect(answer.expires_in).toBeGreaterThan(3000);
    expect((await sendWith(answer.access_token, { token: 'fcm-token-abc', data: { sync: '1' } })).status).toBe(200);
  });

  it.each([
    ['signed by another key', () => assertion(otherKey('rsa'))],
    ['for another audience', () => assertion(undefined, { aud: 'https://oauth2.googleapis.com/token' })],
    ['without the messaging scope', () => assertion(undefined, { scope: 'https://www.googleapis.com/auth/cloud-platform' })],
    ['expired', () => assertion(undefined, { iat: now() - 7200, exp: now() - 3600 })],
  ])('refuses an assertion %s', async (_label, make) => {
    expect((await grant(make())).status).toBe(400);
  });

  it('refuses a send without a bearer it issued, and data over 4,096 bytes', async () => {
    expect((await sendWith(undefined, { token: 't', data: {} })).status).toBe(401);
    expect((await sendWith('ya29.forged', { token: 't', data: {} })).status).toBe(401);
    const { access_token } = (await (await grant(assertion())).json()) as { access_token: string };
    const tooBig = await sendWith(access_token, { token: 't', data: { packet: 'x'.repeat(4091) } });
    expect(tooBig.status).toBe(400);
  });
});

describe('the local secrets extension', () => {
  const get = (secretId: string, sessionToken?: string) =>
    fetch(`http://127.0.0.1:${endpoints.push.secretsPort}/secretsmanager/get?secretId=${encodeURIComponent(secretId)}`, {
      headers: sessionToken === undefined ? {} : { 'X-Aws-Parameters-Secrets-Token': sessionToken },
    });

  it('answers the secret to the sandbox session only, and knows no other secret', async () => {
    const answer = (await (await get(endpoints.push.secretId, endpoints.push.sessionToken)).json()) as { SecretString: string };
    expect(JSON.parse(answer.SecretString)).toEqual(credentials);
    expect((await get(endpoints.push.secretId)).status).toBe(401);
    expect((await get(endpoints.push.secretId, 'another-session')).status).toBe(401);
    expect((await get('another-secret', endpoints.push.sessionToken)).status).toBe(400);
  });
});
