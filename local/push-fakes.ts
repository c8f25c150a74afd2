import { createPublicKey, randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { constants, createServer as createHttp2Server, type Http2Server, type IncomingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, jwtVerify } from 'jose';
import type { LocalPushCredentials } from './push-credentials';

/**
 * Stand-ins for the services Playhead pushes through, which have no local engine: APNs
 * (cleartext HTTP/2), FCM HTTP v1 with Google's OAuth token endpoint, and the AWS Parameters
 * and Secrets extension that hands the sender its credentials. Each checks what the real one
 * checks before it accepts a push: the provider token's ES256 signature, key id, team and age;
 * the OAuth assertion's RS256 signature, issuer, audience and scope, then the bearer token;
 * the topic, push type and priority, and the 4,096-byte payload limit. A control server records
 * every accepted push (`npm run -s tail -- pushes`) and can be told to answer a device token
 * with 410, 400, 429 or 503, each in its service's own words.
 */

export interface DeliveredPush {
  platform: 'ios' | 'android';
  token: string;
  headers: Record<string, string>;
  payload: unknown;
  /** When the fake accepted it (ISO). */
  at: string;
  /** The APNs provider token it was sent with (iOS only): which signature a sender used. */
  providerToken?: string;
}

/** A scripted answer for one device token: `times` answers (then normal service), or every one. */
export interface ScriptedAnswer {
  status: 410 | 400 | 429 | 503;
  times?: number;
}

export interface PushFakeEndpoints {
  apns: string;
  fcm: string;
  fcmToken: string;
  /** Port of the secrets extension stand-in (`PARAMETERS_SECRETS_EXTENSION_HTTP_PORT`). */
  secretsPort: number;
  /** Control API: `GET /pushes?after=n`, `PUT|DELETE /tokens/<token>`, `GET /stats`. */
  control: string;
}

export interface PushFakes {
  endpoints: PushFakeEndpoints;
  stop(): Promise<void>;
}

export const MAX_PAYLOAD_BYTES = 4096;
const PROVIDER_TOKEN_MAX_AGE_SECONDS = 3600;
const ACCESS_TOKEN_SECONDS = 3599;
const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';

export interface PushFakeOptions {
  credentials: LocalPushCredentials;
  /** The secret's name, as the sender asks for it. */
  secretId: string;
  /** The value the sender must present in `X-Aws-Parameters-Secrets-Token` (its AWS_SESSION_TOKEN). */
  sessionToken: string;
}

const listen = (server: Server | Http2Server): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });

/** Closes a server without waiting for its clients: the sender keeps its connections open, as it should. */
function close(server: Server | Http2Server, sessions: Set<{ destroy(): void }> = new Set()): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    if ('closeAllConnections' in server) server.closeAllConnections();
    for (const session of sessions) session.destroy();
  });
}

async function readBody(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startPushFakes(options: PushFakeOptions): Promise<PushFakes> {
  const { credentials } = options;
  const apnsKey = createPublicKey(credentials.apns.privateKey) as unknown as CryptoKey;
  const fcmKey = createPublicKey(credentials.fcm.private_key) as unknown as CryptoKey;
  const delivered: DeliveredPush[] = [];
  const scripts = new Map<string, ScriptedAnswer>();
  const providerTokens = new Set<string>();
  const accessTokens = new Map<string, number>();
  let accessTokensIssued = 0;

  /** The scripted answer for a token, counting it down. */
  const scripted = (token: string): ScriptedAnswer['status'] | undefined => {
    const script = scripts.get(token);
    if (script === undefined) return undefined;
    if (script.times !== undefined) {
      if (script.times <= 1) scripts.delete(token);
      else scripts.set(token, { ...script, times: script.times - 1 });
    }
    return script.status;
  };

  // APNs: POST /3/device/<token>, h2c.
  const apns = createHttp2Server();
  const apnsSessions = new Set<ServerHttp2Session>();
  apns.on('session', (session: ServerHttp2Session) => {
    apnsSessions.add(session);
    session.on('close', () => apnsSessions.delete(session));
  });
  apns.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
    void answerApns(stream, headers).catch(() => stream.destroy());
  });
  async function answerApns(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): Promise<void> {
    const body = await readBody(stream);
    const reply = (status: number, reason?: string, extra: Record<string, unknown> = {}) => {
      stream.respond({ [constants.HTTP2_HEADER_STATUS]: status, 'apns-id': randomUUID(), ...(reason ? { 'content-type': 'application/json' } : {}) });
      stream.end(reason ? JSON.stringify({ reason, ...extra }) : undefined);
    };
    const path = String(headers[constants.HTTP2_HEADER_PATH] ?? '');
    const token = /^\/3\/device\/([^/?]+)$/.exec(path)?.[1];
    if (headers[constants.HTTP2_HEADER_METHOD] !== 'POST') return reply(405, 'MethodNotAllowed');
    if (token === undefined) return reply(404, 'BadPath');
    const authorization = String(headers.authorization ?? '');
    if (!authorization.startsWith('bearer ')) return reply(403, 'MissingProviderToken');
    const jwt = authorization.slice('bearer '.length);
    try {
      const { payload, protectedHeader } = await jwtVerify(jwt, apnsKey, { algorithms: ['ES256'], issuer: credentials.apns.teamId, maxTokenAge: PROVIDER_TOKEN_MAX_AGE_SECONDS });
      if (protectedHeader.kid !== credentials.apns.keyId || typeof payload.iat !== 'number') return reply(403, 'InvalidProviderToken');
    } catch (error) {
      // jose says ERR_JWT_EXPIRED when `iat` is older than maxTokenAge, as APNs says ExpiredProviderToken.
      return reply(403, (error as { code?: string }).code === 'ERR_JWT_EXPIRED' ? 'ExpiredProviderToken' : 'InvalidProviderToken');
    }
    providerTokens.add(jwt);
    if (!/^[0-9a-f]{64,200}$/i.test(token)) return reply(400, 'BadDeviceToken');
    if (headers['apns-topic'] === undefined) return reply(400, 'MissingTopic');
    if (headers['apns-topic'] !== credentials.apns.topic) return reply(400, 'TopicDisallowed');
    if (headers['apns-push-type'] !== 'background') return reply(400, 'InvalidPushType');
    // A background push must go at priority 5: 10 is for pushes that alert the user.
    if (headers['apns-priority'] !== '5') return reply(400, 'BadPriority');
    if (Buffer.byteLength(String(headers['apns-collapse-id'] ?? '')) > 64) return reply(400, 'BadCollapseId');
    if (body.length === 0) return reply(400, 'PayloadEmpty');
    if (Buffer.byteLength(body) > MAX_PAYLOAD_BYTES) return reply(413, 'PayloadTooLarge');
    let payload: { aps?: Record<string, unknown> };
    try {
      payload = JSON.parse(body) as { aps?: Record<string, unknown> };
    } catch {
      return reply(400, 'BadPayload');
    }
    const aps = payload.aps ?? {};
    if (aps['content-available'] !== 1 || 'alert' in aps || 'sound' in aps || 'badge' in aps) return reply(400, 'BadPayload');
    switch (scripted(token)) {
      case 410:
        return reply(410, 'Unregistered', { timestamp: Date.now() });
      case 400:
        return reply(400, 'BadDeviceToken');
      case 429:
        return reply(429, 'TooManyRequests');
      case 503:
        return reply(503, 'ServiceUnavailable');
    }
    const pushHeaders = Object.fromEntries(Object.entries(headers).filter(([name]) => name.startsWith('apns-')).map(([name, value]) => [name, String(value)]));
    delivered.push({ platform: 'ios', token, headers: pushHeaders, payload, at: new Date().toISOString(), providerToken: jwt });
    reply(200);
  }

  // FCM: the OAuth token endpoint and messages:send.
  const fcm = createHttpServer((req, res) => {
    void answerFcm(req, res).catch(() => json(res, 500, { error: { code: 500, status: 'INTERNAL' } }));
  });
  const fcmError = (res: ServerResponse, status: number, code: string, message: string, extra: Record<string, unknown>[] = []) =>
    json(res, status, { error: { code: status, message, status: code, details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: code }, ...extra] } });
  let fcmBase = '';
  async function answerFcm(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', fcmBase);
    if (req.method === 'POST' && url.pathname === '/token') {
      const form = new URLSearchParams(body);
      if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return json(res, 400, { error: 'unsupported_grant_type' });
      try {
        const { payload } = await jwtVerify(form.get('assertion') ?? '', fcmKey, { algorithms: ['RS256'], issuer: credentials.fcm.client_email, audience: `${fcmBase}/token` });
        const scopes = String(payload.scope ?? '').split(' ');
        if (!scopes.includes(FCM_SCOPE)) return json(res, 400, { error: 'invalid_scope' });
        if (typeof payload.iat !== 'number' || typeof payload.exp !== 'number' || payload.exp - payload.iat > 3600) return json(res, 400, { error: 'invalid_grant', error_description: 'Invalid JWT: exp and iat more than an hour apart' });
      } catch (error) {
        return json(res, 400, { error: 'invalid_grant', error_description: (error as Error).message });
      }
      const accessToken = `ya29.local-${randomUUID()}`;
      accessTokens.set(accessToken, Date.now() + ACCESS_TOKEN_SECONDS * 1000);
      accessTokensIssued++;
      return json(res, 200, { access_token: accessToken, expires_in: ACCESS_TOKEN_SECONDS, token_type: 'Bearer' });
    }
    const project = /^\/v1\/projects\/([^/]+)\/messages:send$/.exec(url.pathname)?.[1];
    if (req.method !== 'POST' || project === undefined) return fcmError(res, 404, 'NOT_FOUND', 'No such method');
    const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    const expires = bearer === undefined ? undefined : accessTokens.get(bearer);
    if (expires === undefined || expires < Date.now()) return fcmError(res, 401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.');
    if (project !== credentials.fcm.project_id) return fcmError(res, 403, 'PERMISSION_DENIED', 'The caller does not have permission');
    let message: { token?: unknown; data?: Record<string, unknown>; notification?: unknown; android?: { priority?: string } };
    try {
      ({ message } = JSON.parse(body) as { message: typeof message });
    } catch {
      return fcmError(res, 400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.');
    }
    if (typeof message?.token !== 'string') return fcmError(res, 400, 'INVALID_ARGUMENT', 'Recipient of the message is not set.');
    const data = message.data ?? {};
    if (Object.values(data).some((value) => typeof value !== 'string')) return fcmError(res, 400, 'INVALID_ARGUMENT', 'Invalid value at message.data: values must be strings');
    const dataBytes = Object.entries(data).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(String(value)), 0);
    if (dataBytes > MAX_PAYLOAD_BYTES) return fcmError(res, 400, 'INVALID_ARGUMENT', 'Android message is too big');
    const token = message.token;
    const badToken = [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'message.token', description: 'Invalid registration token' }] }];
    switch (scripted(token)) {
      case 410:
        return fcmError(res, 404, 'UNREGISTERED', 'Requested entity was not found.');
      case 400:
        return fcmError(res, 400, 'INVALID_ARGUMENT', 'The registration token is not a valid FCM registration token', badToken);
      case 429:
        return fcmError(res, 429, 'QUOTA_EXCEEDED', 'Quota exceeded for this device.');
      case 503:
        return fcmError(res, 503, 'UNAVAILABLE', 'The service is currently unavailable.');
    }
    const { token: _token, ...payload } = message;
    delivered.push({ platform: 'android', token, headers: {}, payload, at: new Date().toISOString() });
    json(res, 200, { name: `projects/${project}/messages/${randomUUID()}` });
  }

  // The Parameters and Secrets extension's HTTP API, serving the one secret.
  const secrets = createHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.headers['x-aws-parameters-secrets-token'] !== options.sessionToken) return json(res, 401, { message: 'Unauthorized: X-Aws-Parameters-Secrets-Token is missing or wrong' });
    if (req.method !== 'GET' || url.pathname !== '/secretsmanager/get') return json(res, 404, { message: 'not found' });
    if (url.searchParams.get('secretId') !== options.secretId) return json(res, 400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
    json(res, 200, {
      ARN: `arn:aws:secretsmanager:local:000000000000:secret:${options.secretId}`,
      Name: options.secretId,
      SecretString: JSON.stringify(credentials),
      VersionId: 'local',
      VersionStages: ['AWSCURRENT'],
      CreatedDate: new Date(0).toISOString(),
    });
  });

  // Control: what was delivered, and scripted answers per token.
  const control = createHttpServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const body = await readBody(req);
      if (req.method === 'GET' && url.pathname === '/pushes') {
        const after = Number(url.searchParams.get('after') ?? '0') || 0;
        return json(res, 200, { pushes: delivered.slice(after), next: delivered.length });
      }
      if (req.method === 'GET' && url.pathname === '/stats') return json(res, 200, { delivered: delivered.length, providerTokens: providerTokens.size, accessTokensIssued });
      const token = /^\/tokens\/([^/]+)$/.exec(url.pathname)?.[1];
      if (token !== undefined && req.method === 'DELETE') {
        scripts.delete(decodeURIComponent(token));
        return json(res, 200, {});
      }
      if (token !== undefined && req.method === 'PUT') {
        const answer = JSON.parse(body) as ScriptedAnswer;
        if (![410, 400, 429, 503].includes(answer.status)) return json(res, 400, { message: 'status must be 410, 400, 429 or 503' });
        scripts.set(decodeURIComponent(token), answer);
        return json(res, 200, answer);
      }
      json(res, 404, { message: 'not found' });
    })().catch(() => json(res, 400, { message: 'bad request' }));
  });

  const [apnsPort, fcmPort, secretsPort, controlPort] = await Promise.all([listen(apns), listen(fcm), listen(secrets), listen(control)]);
  fcmBase = `http://127.0.0.1:${fcmPort}`;
  return {
    endpoints: { apns: `http://127.0.0.1:${apnsPort}`, fcm: fcmBase, fcmToken: `${fcmBase}/token`, secretsPort, control: `http://127.0.0.1:${controlPort}` },
    stop: async () => {
      await Promise.all([close(apns, apnsSessions), close(fcm), close(secrets), close(control)]);
    },
  };
}
