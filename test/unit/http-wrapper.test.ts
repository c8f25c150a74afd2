import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { httpRoute } from '../../lambdas/shared/http';
import { decodeCursor, encodeCursor } from '../../lambdas/shared/paging';
import { principalOf } from '../../lambdas/shared/principal';

function event(claims?: Record<string, string>, scopes?: string[]): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'GET /x',
    rawPath: '/x',
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    // A verified token always carries exp, which API Gateway hands on as text.
    requestContext: { requestId: 'req-1', ...(claims ? { authorizer: { jwt: { claims: { exp: String(Math.floor(Date.now() / 1000) + 3600), ...claims }, scopes: scopes ?? null } } } : {}) },
  } as unknown as APIGatewayProxyEventV2;
}

describe('principal', () => {
  it('takes the user id from sub only, scopes from the authorizer, country upper-cased', () => {
    const p = principalOf(event({ sub: 'alice', country: 'us', userId: 'bob' }, ['catalog:write']));
    expect(p.userId).toBe('alice');
    expect([...p.scopes]).toEqual(['catalog:write']);
    expect(p.country).toBe('US');
  });

  it('reads a space-separated or bracketed scope claim when the authorizer gives no scopes', () => {
    expect([...principalOf(event({ sub: 'a', scope: 'a:b c:d' })).scopes]).toEqual(['a:b', 'c:d']);
    expect([...principalOf(event({ sub: 'a', scope: '[a:b c:d]' })).scopes]).toEqual(['a:b', 'c:d']);
  });

  it('ignores a country claim that is not an alpha-2 code', () => {
    expect(principalOf(event({ sub: 'a', country: 'USA' })).country).toBeUndefined();
  });

  it('refuses an event without verified claims', () => {
    expect(() => principalOf(event())).toThrow(/verified user/);
    expect(() => principalOf(event({ sub: '' }))).toThrow();
  });
});

describe('http wrapper', () => {
  it('hides the details of an unexpected error behind a 500 problem with the request id', async () => {
    const handler = httpRoute({ authenticated: false }, async () => {
      throw new Error('table arn:aws:dynamodb:secret is on fire');
    });
    const result = await handler(event());
    expect(result.statusCode).toBe(500);
    expect(result.headers?.['content-type']).toBe('application/problem+json');
    expect(result.body).not.toContain('secret');
    expect(JSON.parse(result.body ?? '{}')).toMatchObject({ status: 500, requestId: 'req-1', type: 'urn:playhead:problem:internal-error' });
  });

  it('answers 401 before validating anything on an authenticated route', async () => {
    const handler = httpRoute({ params: z.strictObject({ id: z.string() }) }, async () => ({ body: {} }));
    expect((await handler(event())).statusCode).toBe(401);
  });
});

describe('cursors', () => {
  it('round-trip a sort key and refuse anything else', () => {
    const cursor = encodeCursor('WATCHLIST#abc');
    expect(decodeCursor(cursor, (sk) => sk.startsWith('WATCHLIST#'))).toBe('WATCHLIST#abc');
    expect(() => decodeCursor(cursor, (sk) => sk.startsWith('PROGRESS#'))).toThrow();
    expect(() => decodeCursor('%%%', () => true)).toThrow();
  });
});
