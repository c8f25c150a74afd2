import { type ClientHttp2Session, connect, constants } from 'node:http2';
import { pushEnv, productionPushEndpoints } from '../../lib/push-definitions';
import type { ApnsEnvironment } from '../devices/device-item';
import { optionalEnv } from '../shared/config';
import { providerToken } from './provider-token';
import type { ApnsCredentials } from './push-credentials';
import type { PlatformPush } from './push-payloads';
import { apnsResult, type PushResult } from './push-results';

const endpoints: Record<ApnsEnvironment, string> = {
  production: optionalEnv(pushEnv.apnsEndpoint, productionPushEndpoints[pushEnv.apnsEndpoint]),
  sandbox: optionalEnv(pushEnv.apnsSandboxEndpoint, productionPushEndpoints[pushEnv.apnsSandboxEndpoint]),
};
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * One HTTP/2 connection per APNs host for the life of the execution environment, as Apple
 * asks (a connection per push is treated as a denial-of-service attack); it is opened again
 * after APNs closes it (GOAWAY, idle) or it fails.
 */
const sessions = new Map<string, ClientHttp2Session>();

function sessionFor(origin: string): ClientHttp2Session {
  const open = sessions.get(origin);
  if (open !== undefined && !open.closed && !open.destroyed) return open;
  const session = connect(origin);
  const forget = () => {
    if (sessions.get(origin) === session) sessions.delete(origin);
  };
  session.on('goaway', forget);
  session.on('close', forget);
  session.on('error', forget);
  // Idle connections must not keep a laptop process or a test alive.
  session.unref();
  sessions.set(origin, session);
  return session;
}

export async function sendToApns(push: Extract<PlatformPush, { platform: 'ios' }>, apns: ApnsCredentials, nowSeconds: number): Promise<PushResult> {
  const jwt = await providerToken(apns, nowSeconds);
  return new Promise<PushResult>((resolve) => {
    let settled = false;
    const settle = (result: PushResult) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    try {
      const request = sessionFor(endpoints[push.environment]).request({
        [constants.HTTP2_HEADER_METHOD]: 'POST',
        [constants.HTTP2_HEADER_PATH]: `/3/device/${push.token}`,
        authorization: `bearer ${jwt}`,
        'content-type': 'application/json',
        ...push.headers,
      });
      request.setTimeout(REQUEST_TIMEOUT_MS, () => {
        request.close(constants.NGHTTP2_CANCEL);
        settle({ kind: 'retry', reason: 'APNs did not answer in time' });
      });
      let status = 0;
      const chunks: Buffer[] = [];
      request.on('response', (headers) => {
        status = Number(headers[constants.HTTP2_HEADER_STATUS]);
      });
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        let reason: string | undefined;
        try {
          reason = chunks.length === 0 ? undefined : (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { reason?: string }).reason;
        } catch {
          reason = undefined;
        }
        settle(apnsResult(status, reason));
      });
      request.on('error', (error) => settle({ kind: 'retry', reason: `APNs unreachable: ${error.message}` }));
      request.end(push.body);
    } catch (error) {
      settle({ kind: 'retry', reason: `APNs unreachable: ${(error as Error).message}` });
    }
  });
}
