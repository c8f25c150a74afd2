import { pushEnv, productionPushEndpoints } from '../../lib/push-definitions';
import { optionalEnv } from '../shared/config';
import { signCompactJwt } from './compact-jwt';
import type { FcmCredentials } from './push-credentials';
import type { PlatformPush } from './push-payloads';
import { type FcmError, fcmResult, type PushResult } from './push-results';

const sendEndpoint = optionalEnv(pushEnv.fcmEndpoint, productionPushEndpoints[pushEnv.fcmEndpoint]);
const tokenEndpoint = optionalEnv(pushEnv.fcmTokenEndpoint, productionPushEndpoints[pushEnv.fcmTokenEndpoint]);
const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const ASSERTION_LIFETIME_SECONDS = 3600;
/** An access token is renewed this long before Google says it expires. */
const RENEW_MARGIN_SECONDS = 300;
const REQUEST_TIMEOUT_MS = 10_000;

class FcmAuthRefused extends Error {}

/**
 * The OAuth access token of the service account, cached per execution environment until five
 * minutes before it expires (Google issues them for an hour and does not limit how many). It is
 * bought with an RS256 assertion signed by the account's key (the JWT bearer grant).
 */
let access: { token: string; expiresAt: number; account: string } | undefined;

async function accessToken(fcm: FcmCredentials, nowSeconds: number): Promise<string> {
  if (access !== undefined && access.account === fcm.client_email && access.expiresAt - RENEW_MARGIN_SECONDS > nowSeconds) return access.token;
  const assertion = signCompactJwt(
    'RS256',
    { typ: 'JWT', ...(fcm.private_key_id === undefined ? {} : { kid: fcm.private_key_id }) },
    { iss: fcm.client_email, scope: SCOPE, aud: tokenEndpoint, iat: nowSeconds, exp: nowSeconds + ASSERTION_LIFETIME_SECONDS },
    fcm.private_key,
  );
  const response = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  if (response.status >= 500 || response.status === 429) throw new Error(`the FCM token endpoint answered ${response.status}`);
  const answer = (await response.json().catch(() => ({}))) as { access_token?: string; expires_in?: number; error?: string };
  if (!response.ok || typeof answer.access_token !== 'string') throw new FcmAuthRefused(`the FCM token endpoint refused the service account: ${response.status} ${answer.error ?? ''}`.trim());
  access = { token: answer.access_token, expiresAt: nowSeconds + (answer.expires_in ?? 3600), account: fcm.client_email };
  return access.token;
}

export async function sendToFcm(push: Extract<PlatformPush, { platform: 'android' }>, fcm: FcmCredentials, nowSeconds: number): Promise<PushResult> {
  let token: string;
  try {
    token = await accessToken(fcm, nowSeconds);
  } catch (error) {
    return error instanceof FcmAuthRefused ? { kind: 'refused', reason: error.message } : { kind: 'retry', reason: (error as Error).message };
  }
  let response: Response;
  try {
    response = await fetch(`${sendEndpoint}/v1/projects/${encodeURIComponent(fcm.project_id)}/messages:send`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: push.message }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    return { kind: 'retry', reason: `FCM unreachable: ${(error as Error).message}` };
  }
  const answer = (await response.json().catch(() => ({}))) as FcmError;
  // A token Google no longer accepts is bought again on the next push.
  if (response.status === 401) access = undefined;
  return fcmResult(response.status, answer);
}
