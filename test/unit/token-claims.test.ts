import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { CLOCK_SKEW_SECONDS, MAX_TOKEN_LIFETIME_SECONDS, principalOf } from '../../lambdas/shared/principal';

/** Claims as API Gateway's JWT authorizer hands them to Lambda: every value a string. */
function eventWith(claims: Record<string, unknown>): APIGatewayProxyEventV2 {
  return { requestContext: { requestId: 'r', authorizer: { jwt: { claims: { sub: 'alice', ...claims }, scopes: [] } } } } as unknown as APIGatewayProxyEventV2;
}
const now = () => Math.floor(Date.now() / 1000);

describe('principalOf checks the token times it is handed (the last line behind the authorizer)', () => {
  it('accepts the times a real token carries, as strings or numbers', () => {
    expect(principalOf(eventWith({ exp: String(now() + 3600), iat: String(now()), nbf: String(now()) })).userId).toBe('alice');
    expect(principalOf(eventWith({ exp: now() + 3600, iat: now() - 10 })).userId).toBe('alice');
    expect(principalOf(eventWith({ exp: String(now() + MAX_TOKEN_LIFETIME_SECONDS - 60) })).userId).toBe('alice');
    expect(principalOf(eventWith({ exp: String(now() + 60), iat: String(now() + CLOCK_SKEW_SECONDS - 5) })).userId).toBe('alice');
  });

  const refused: [string, Record<string, unknown>][] = [
    ['no exp', {}],
    ['exp Infinity (1e309 in the token)', { exp: 'Infinity' }],
    ['exp 1e309 as text', { exp: '1e309' }],
    ['exp NaN', { exp: 'NaN' }],
    ['exp not a number', { exp: 'tomorrow' }],
    ['an empty exp', { exp: '' }],
    ['exp a year ahead', { exp: String(now() + 365 * 86400) }],
    ['exp in the past', { exp: String(now() - 3600) }],
    ['iat ten years ahead', { exp: String(now() + 3600), iat: String(now() + 10 * 365 * 86400) }],
    ['iat five minutes ahead', { exp: String(now() + 3600), iat: String(now() + 300) }],
    ['iat not a number', { exp: String(now() + 3600), iat: 'yesterday' }],
    ['iat -Infinity', { exp: String(now() + 3600), iat: '-Infinity' }],
    ['nbf not a number', { exp: String(now() + 3600), nbf: 'soon' }],
    ['nbf ahead', { exp: String(now() + 3600), nbf: String(now() + 600) }],
    ['nbf -1e309', { exp: String(now() + 3600), nbf: '-1e309' }],
  ];
  it.each(refused)('refuses %s with 401', (_, claims) => {
    expect(() => principalOf(eventWith(claims))).toThrow(expect.objectContaining({ status: 401 }));
  });
});
