import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { credentialIsLive, verifyGpodderCredential } from './credential-store';
import { SESSION_COOKIE, SESSION_RENEW_AFTER_SECONDS, type Session, sessionCookie, signSession, verifySession } from './gpodder-session';

/**
 * Who a gpodder request comes from: HTTP Basic with an app password, or the session cookie a
 * Basic sign-in set. It lives in the handlers because no API Gateway authorizer can answer a
 * request without credentials with the `WWW-Authenticate: Basic` challenge mygpoclient waits
 * for, nor set a cookie. A failed look-up is an error (a 500), never "no caller": gPodder
 * switches sync off for good on a 401.
 */

export interface GpodderCaller {
  userId: string;
  credentialId: string;
  username: string;
  /** `Set-Cookie` values to send with the answer: a new or renewed session. */
  cookies: string[];
}

/** Over https the session cookie is `Secure`; API Gateway says which in `x-forwarded-proto`. */
export const isHttps = (event: APIGatewayProxyEventV2): boolean => (event.headers?.['x-forwarded-proto'] ?? '').split(',')[0]?.trim().toLowerCase() === 'https';

function basicCredentials(event: APIGatewayProxyEventV2): { username: string; password: string } | undefined | 'malformed' {
  const header = event.headers?.authorization;
  if (header === undefined) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (!match?.[1]) return 'malformed';
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return 'malformed';
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Payload 2.0 hands cookies over in `event.cookies`; a `Cookie` header is read too, as some callers leave it. */
function sessionCookieValues(event: APIGatewayProxyEventV2): string[] {
  const pairs = [...(event.cookies ?? []), ...(event.headers?.cookie ?? '').split(';')];
  return pairs
    .map((pair) => pair.trim())
    .filter((pair) => pair.startsWith(`${SESSION_COOKIE}=`))
    .map((pair) => pair.slice(SESSION_COOKIE.length + 1));
}

/** The caller, or undefined when the request carries no usable credentials (answered with the challenge). */
export async function authenticate(event: APIGatewayProxyEventV2, nowMs: number): Promise<GpodderCaller | undefined> {
  const now = Math.floor(nowMs / 1000);
  const secure = isHttps(event);
  const basic = basicCredentials(event);
  // Basic first: a sign-in with a password must not ride on an older session of someone else.
  if (basic === 'malformed') return undefined;
  if (basic !== undefined) {
    const verified = await verifyGpodderCredential(basic.username, basic.password);
    if (verified === undefined) return undefined;
    const session: Session = { ...verified, username: basic.username, iat: now };
    return { ...session, cookies: [sessionCookie(await signSession(session), secure)] };
  }
  for (const value of sessionCookieValues(event)) {
    const session = await verifySession(value, now);
    if (session === undefined) continue;
    if (!(await credentialIsLive(session.userId, session.credentialId))) return undefined;
    const renewed = now - session.iat > SESSION_RENEW_AFTER_SECONDS ? [sessionCookie(await signSession({ ...session, iat: now }), secure)] : [];
    return { userId: session.userId, credentialId: session.credentialId, username: session.username, cookies: renewed };
  }
  return undefined;
}
