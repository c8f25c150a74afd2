import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { optionalEnv } from './config';
import { HttpProblem } from './problem';

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

/** A token's `sub` is the user id; longer ones are refused (Cognito subs are 36 characters). */
export const MAX_USER_ID_LENGTH = 256;

/**
 * Reads the claims that API Gateway's JWT authorizer (or the local gateway, which verifies
 * tokens the same way) placed on the event. A request without them never reaches the domain.
 */
export function principalOf(event: APIGatewayProxyEventV2): Principal {
  const authorizer = (event.requestContext as { authorizer?: JwtAuthorizer }).authorizer;
  const claims = authorizer?.jwt?.claims;
  const sub = claims?.sub;
  if (typeof sub !== 'string' || sub === '' || sub.length > MAX_USER_ID_LENGTH) {
    throw new HttpProblem('unauthorized', 'The request carries no verified user.');
  }
  const country = claims?.[countryClaim];
  return {
    userId: sub,
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
