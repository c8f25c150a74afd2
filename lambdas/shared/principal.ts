import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { optionalEnv } from './config';
import { userIdSchema } from './ids';
import { HttpProblem } from './problem';

export { MAX_USER_ID_LENGTH } from './ids';

/** Name of the token claim that carries the viewer's ISO 3166-1 alpha-2 country (configuration). */
export const COUNTRY_CLAIM_ENV = 'COUNTRY_CLAIM';
const countryClaim = optionalEnv(COUNTRY_CLAIM_ENV, 'country');

/** The caller as the verified token describes them; the user id comes from `sub` and nowhere else. */
export interface Principal {
  userId: string;
  scopes: ReadonlySet<string>;
  /** Upper-case alpha-2 code, or undefined when the token carries none. */
  country: string | undefined;
}

type JwtAuthorizer = { jwt?: { claims?: Record<string, unknown>; scopes?: string[] | null } };

/**
 * The furthest ahead a token's `exp` may be. Identity providers issue tokens for an hour by
 * default and cap them at a day (Cognito, Okta) or 30 days (Auth0's longest access token,
 * 2,592,000 s); an `exp` beyond that is an issuer's bug or a token meant never to expire
 * (`1e309` parses as Infinity), and a stolen one would then be good for ever.
 */
export const MAX_TOKEN_LIFETIME_SECONDS = 30 * 86_400;
/** How far the issuer's clock may run ahead of ours, for `iat` and `nbf` (as jose's `clockTolerance`). */
export const CLOCK_SKEW_SECONDS = 60;

/** A NumericDate as a verified JWT holds it (a number) or as API Gateway hands it on (its decimal text). */
function numericDate(value: unknown): number | undefined {
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(value) ? Number(value) : Number.NaN;
  return Number.isFinite(number) ? number : undefined;
}

/**
 * Why a token's times make no sense at `now` (seconds since the epoch), or undefined when they
 * do. Both the local gateway (after jose's checks) and every handler (behind API Gateway's
 * authorizer, which checks less) apply it, so one token is judged the same in both places.
 * `exp` is required, as both authorizers require it; `iat` and `nbf` are optional (RFC 7519).
 */
export function tokenTimesProblem(claims: { exp?: unknown; iat?: unknown; nbf?: unknown }, now: number): string | undefined {
  const exp = numericDate(claims.exp);
  if (exp === undefined) return 'exp must be a finite number of seconds';
  // The authorizer has checked exp to the second; the skew only covers the time the request took to get here.
  if (exp <= now - CLOCK_SKEW_SECONDS) return 'the token has expired';
  if (exp > now + MAX_TOKEN_LIFETIME_SECONDS) return `exp is more than ${MAX_TOKEN_LIFETIME_SECONDS / 86_400} days ahead`;
  if (claims.iat !== undefined) {
    const iat = numericDate(claims.iat);
    if (iat === undefined) return 'iat must be a finite number of seconds';
    if (iat > now + CLOCK_SKEW_SECONDS) return 'iat is in the future';
  }
  if (claims.nbf !== undefined) {
    const nbf = numericDate(claims.nbf);
    if (nbf === undefined) return 'nbf must be a finite number of seconds';
    if (nbf > now + CLOCK_SKEW_SECONDS) return 'the token is not valid yet (nbf)';
  }
  return undefined;
}

export const nowInSeconds = (): number => Math.floor(Date.now() / 1000);

/**
 * Reads the claims that API Gateway's JWT authorizer (or the local gateway, which verifies
 * tokens the same way) placed on the event. A request without them never reaches the domain,
 * nor does one whose `sub` is not a user id or whose times make no sense.
 */
export function principalOf(event: APIGatewayProxyEventV2): Principal {
  const authorizer = (event.requestContext as { authorizer?: JwtAuthorizer }).authorizer;
  const claims = authorizer?.jwt?.claims;
  const sub = userIdSchema.safeParse(claims?.sub);
  if (!sub.success || claims === undefined) {
    throw new HttpProblem('unauthorized', 'The request carries no verified user.');
  }
  const timesProblem = tokenTimesProblem(claims, nowInSeconds());
  if (timesProblem !== undefined) throw new HttpProblem('unauthorized', `The token's times make no sense: ${timesProblem}.`);
  const country = claims?.[countryClaim];
  return {
    userId: sub.data,
    scopes: new Set(authorizer?.jwt?.scopes ?? scopesFromClaim(claims?.scope)),
    country: typeof country === 'string' && /^[A-Za-z]{2}$/.test(country) ? country.toUpperCase() : undefined,
  };
}

/** API Gateway passes the `scope` claim as a space-separated string (or `[a b]` for arrays). */
function scopesFromClaim(scope: unknown): string[] {
  if (Array.isArray(scope)) return scope.filter((s): s is string => typeof s === 'string');
  if (typeof scope !== 'string') return [];
  return scope.replace(/^\[|\]$/g, '').split(/\s+/).filter(Boolean);
}

export function requireScope(principal: Principal, scope: string): void {
  if (!principal.scopes.has(scope)) {
    throw new HttpProblem('forbidden', `This operation needs the ${scope} scope.`);
  }
}
