import { createHmac, timingSafeEqual } from 'node:crypto';
import { deploymentKey } from '../shared/deployment-secret';

/**
 * The session cookie gpodder clients carry after one password exchange: mygpoclient hands out
 * the password at most three times per client object, and AntennaPod sends Basic only on
 * `login.json`. Stateless, `base64url(payload).base64url(HMAC-SHA-256)`, with a key of its
 * own derived from the deployment secret; the credential's revocation is checked on every use
 * by the caller, so revoking it ends every session made from it.
 */

export const SESSION_COOKIE = 'sessionid';
/** gpodder.net keeps a login session for a year; a client that syncs daily never sees a second challenge. */
export const SESSION_MAX_AGE_SECONDS = 365 * 86_400;
/** A session older than this gets a fresh cookie on its next use, so an app in use never runs out. */
export const SESSION_RENEW_AFTER_SECONDS = 86_400;

export interface Session {
  userId: string;
  credentialId: string;
  username: string;
  /** Issued at, epoch seconds. */
  iat: number;
}

const sessionKey = (): Promise<Uint8Array> => deploymentKey('gpodder-session');

const mac = (key: Uint8Array, payload: string): Buffer => createHmac('sha256', key).update(payload).digest();

export async function signSession(session: Session): Promise<string> {
  const payload = Buffer.from(JSON.stringify({ u: session.userId, c: session.credentialId, n: session.username, iat: session.iat })).toString('base64url');
  return `${payload}.${mac(await sessionKey(), payload).toString('base64url')}`;
}

/** The session a cookie value carries, or undefined when it is forged, malformed or expired. */
export async function verifySession(value: string, nowSeconds: number): Promise<Session | undefined> {
  const [payload, signature, extra] = value.split('.');
  if (!payload || !signature || extra !== undefined || value.length > 1024) return undefined;
  const expected = mac(await sessionKey(), payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof decoded !== 'object' || decoded === null) return undefined;
  const { u, c, n, iat } = decoded as Record<string, unknown>;
  if (typeof u !== 'string' || typeof c !== 'string' || typeof n !== 'string' || typeof iat !== 'number') return undefined;
  if (iat > nowSeconds + 60 || nowSeconds - iat > SESSION_MAX_AGE_SECONDS) return undefined;
  return { userId: u, credentialId: c, username: n, iat };
}

/** `Set-Cookie` for a session; `Secure` only over https, since a client never sends a Secure cookie back over plain http (the local stack). */
export function sessionCookie(value: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/gpodder; Max-Age=${SESSION_MAX_AGE_SECONDS}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

export function expiredSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/gpodder; Max-Age=0; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}
