import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { httpRoute } from '../../lambdas/shared/http';
import { MalformedPathParameter, matchPath } from '../../lib/routes';

/**
 * An event as Lambda's runtime builds it: parsed from JSON text, where `"__proto__"` is an own
 * property like any other (unlike in an object literal).
 */
function eventFromJson(parts: { query?: string; path?: string; body?: string }): APIGatewayProxyEventV2 {
  const exp = Math.floor(Date.now() / 1000) + 3600;
  return JSON.parse(`{
    "version": "2.0", "routeKey": "PUT /x/{id}", "rawPath": "/x/1", "rawQueryString": "", "isBase64Encoded": false,
    "headers": {"content-type": "application/json"},
    ${parts.query ? `"queryStringParameters": ${parts.query},` : ''}
    ${parts.path ? `"pathParameters": ${parts.path},` : ''}
    ${parts.body ? `"body": ${JSON.stringify(parts.body)},` : ''}
    "requestContext": {"requestId": "r", "authorizer": {"jwt": {"claims": {"sub": "alice", "exp": "${exp}"}, "scopes": []}}}
  }`) as APIGatewayProxyEventV2;
}

const handler = httpRoute(
  {
    params: z.strictObject({ id: z.string() }),
    query: z.strictObject({ limit: z.string().optional() }),
    body: z.strictObject({ title: z.string() }).optional(),
  },
  async ({ params, query, body }) => ({ body: { params, query, body } }),
);

async function fieldsRefused(event: APIGatewayProxyEventV2): Promise<string[]> {
  const result = await handler(event);
  expect(result.statusCode).toBe(400);
  return (JSON.parse(result.body ?? '{}') as { errors: { field: string }[] }).errors.map((e) => e.field);
}

describe('inherited names in what API Gateway delivers', () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])('refuses %s as a query parameter, a path parameter and a body field', async (name) => {
    expect(await fieldsRefused(eventFromJson({ path: '{"id":"1"}', query: `{${JSON.stringify(name)}:"1"}` }))).toEqual([`query.${name}`]);
    expect(await fieldsRefused(eventFromJson({ path: `{"id":"1",${JSON.stringify(name)}:"1"}` }))).toEqual([`path.${name}`]);
    expect(await fieldsRefused(eventFromJson({ path: '{"id":"1"}', body: `{"title":"t",${JSON.stringify(name)}:{"polluted":true}}` }))).toEqual([`body.${name}`]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('hands the domain plain validated values, with nothing reaching Object.prototype', async () => {
    const result = await handler(eventFromJson({ path: '{"id":"1"}', query: '{"limit":"5"}', body: '{"title":"t"}' }));
    expect(JSON.parse(result.body ?? '{}')).toEqual({ params: { id: '1' }, query: { limit: '5' }, body: { title: 't' } });
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('matchPath', () => {
  it('builds path parameters without a prototype', () => {
    const params = matchPath('/v1/catalog/assets/{assetId}', '/v1/catalog/assets/abc');
    expect(params).toEqual({ assetId: 'abc' });
    expect(Object.getPrototypeOf(params)).toBeNull();
  });

  it('names the parameter that is not percent-encoded UTF-8, once the rest of the path matches', () => {
    for (const broken of ['%ZZ', '%', '%E0%A4%A', '%C3']) {
      expect(() => matchPath('/v1/catalog/assets/{assetId}', `/v1/catalog/assets/${broken}`)).toThrow(MalformedPathParameter);
    }
    // A path of another shape is simply not this route.
    expect(matchPath('/v1/catalogs/{catalogId}/keys:add', '/v1/catalogs/%ZZ/diff')).toBeUndefined();
    expect(matchPath('/v1/catalog/assets/{assetId}', '/v1/catalog/assets/caf%C3%A9')).toEqual({ assetId: 'café' });
  });
});
