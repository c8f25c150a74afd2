import { describe, expect, it } from 'vitest';
import { routes } from '../../lib/routes';
import { DEFAULT_MAX_BODY_BYTES } from '../../lambdas/shared/http';
import { call, createAsset, newUserId, tokenFor } from '../support/api';
import { itemsOfUser } from '../support/table';

/**
 * Every route, from the route table, gets every kind of bad input; each answer must be a 4xx
 * problem+json naming the offending field, and nothing may be written.
 */
const authenticated = routes.filter((r) => r.auth === 'jwt');
const bodyExamples: Record<string, unknown> = {
  PutProgress: { progress: 10 },
  PutAsset: { title: 'A title' },
};

interface Problem {
  type: string;
  status: number;
  errors?: { field: string; message: string }[];
}

async function expectProblem(response: Awaited<ReturnType<typeof call>>, status: number, field?: string) {
  expect(response.status).toBe(status);
  expect(response.contentType).toBe('application/problem+json');
  const problem = response.json as Problem;
  expect(problem.status).toBe(status);
  expect(problem.type).toMatch(/^urn:playhead:problem:/);
  if (field !== undefined) expect(problem.errors?.map((e) => e.field)).toContain(field);
}

describe.each(authenticated.map((r) => [`${r.method} ${r.path}`, r] as const))('bad input on %s', (_label, route) => {
  const withId = (id: string) => route.path.replace('{assetId}', id);

  it('rejects an id that is not a UUID, naming path.assetId', async () => {
    if (!route.path.includes('{assetId}')) return;
    const userId = newUserId();
    const token = await tokenFor(userId, { scopes: ['catalog:write'] });
    for (const id of ['not-a-uuid', '3f2504e0-4f89-11d3-9a0c-0305e82c330', "x' OR '1'='1", '%00']) {
      await expectProblem(await call(route.method, withId(id), { token, body: bodyExamples[route.id] }), 400, 'path.assetId');
    }
    expect(await itemsOfUser(userId)).toEqual([]);
  });

  it('rejects unknown query parameters', async () => {
    const userId = newUserId();
    const token = await tokenFor(userId, { scopes: ['catalog:write'] });
    const assetId = await createAsset();
    await expectProblem(await call(route.method, `${withId(assetId)}?debug=1`, { token, body: bodyExamples[route.id] }), 400, 'query.debug');
    expect(await itemsOfUser(userId)).toEqual([]);
  });

  it('rejects a body over the limit with 413', async () => {
    const userId = newUserId();
    const token = await tokenFor(userId, { scopes: ['catalog:write'] });
    const assetId = await createAsset();
    const huge = JSON.stringify({ progress: 1, title: 'x'.repeat(DEFAULT_MAX_BODY_BYTES) });
    await expectProblem(await call(route.method, withId(assetId), { token, rawBody: huge, headers: { 'content-type': 'application/json' } }), 413, 'body');
    expect(await itemsOfUser(userId)).toEqual([]);
  });

  if (route.method === 'GET' && !route.path.includes('{assetId}')) {
    it('rejects a limit out of range or not a number, and a forged cursor', async () => {
      const token = await tokenFor(newUserId());
      for (const query of ['limit=0', 'limit=1001', 'limit=abc', 'limit=1.5']) {
        await expectProblem(await call('GET', `${route.path}?${query}`, { token }), 400, 'query.limit');
      }
      for (const cursor of ['garbage', Buffer.from('{"after":"PROGRESS#x"}').toString('base64url'), Buffer.from('{"after":"OTHER#1"}').toString('base64url')]) {
        const response = await call('GET', `${route.path}?cursor=${cursor}`, { token });
        if (response.status !== 400) {
          // A cursor of the right kind for another list is refused too; never a 500.
          expect(response.status).toBeLessThan(500);
        }
      }
      await expectProblem(await call('GET', `${route.path}?cursor=garbage`, { token }), 400, 'query.cursor');
    });
  }
});

describe.each(Object.keys(bodyExamples).map((id) => [id, routes.find((r) => r.id === id)] as const))('bad bodies on %s', (_id, route) => {
  if (!route) throw new Error('route missing from the table');
  const cases: [string, { rawBody?: string; body?: unknown; headers?: Record<string, string> }, number, string][] = [
    ['malformed JSON', { rawBody: '{"progress": 1,', headers: { 'content-type': 'application/json' } }, 400, 'body'],
    ['a JSON array', { body: [1, 2] }, 400, 'body'],
    ['JSON null', { rawBody: 'null', headers: { 'content-type': 'application/json' } }, 400, 'body'],
    ['an unknown field', { body: { ...(bodyExamples[route.id] as object), extra: true } }, 400, 'body.extra'],
    ['a prototype-pollution key', { rawBody: `{"__proto__":{"admin":true},${JSON.stringify(bodyExamples[route.id]).slice(1)}`, headers: { 'content-type': 'application/json' } }, 400, 'body.__proto__'],
    ['a missing body', { headers: { 'content-type': 'application/json' } }, 400, 'body'],
    ['a non-JSON content type', { rawBody: JSON.stringify(bodyExamples[route.id]), headers: { 'content-type': 'text/plain' } }, 415, 'header.content-type'],
  ];
  if (route.id === 'PutProgress') {
    cases.push(
      ['a string where an integer belongs', { body: { progress: '12' } }, 400, 'body.progress'],
      ['a fraction of a second', { body: { progress: 12.5 } }, 400, 'body.progress'],
      ['a boolean', { body: { progress: true } }, 400, 'body.progress'],
      ['a number past the safe range', { rawBody: '{"progress": 1e400}', headers: { 'content-type': 'application/json' } }, 400, 'body.progress'],
    );
  } else {
    cases.push(['a number where a string belongs', { body: { title: 42 } }, 400, 'body.title']);
  }

  for (const [label, request, status, field] of cases) {
    it(`answers ${label} with ${status} naming ${field}, writing nothing`, async () => {
      const userId = newUserId();
      const token = await tokenFor(userId, { scopes: ['catalog:write'] });
      const assetId = await createAsset({ durationSeconds: 100 });
      const before = await call('GET', `/v1/catalog/assets/${assetId}`, { token });
      await expectProblem(await call(route.method, route.path.replace('{assetId}', assetId), { token, ...request }), status, field);
      expect(await itemsOfUser(userId)).toEqual([]);
      expect((await call('GET', `/v1/catalog/assets/${assetId}`, { token })).json).toEqual(before.json);
    });
  }
});

describe('routes that take no body', () => {
  it('refuse unknown fields in a body but accept an empty object', async () => {
    const userId = newUserId();
    const token = await tokenFor(userId);
    const assetId = await createAsset();
    const refused = await call('PUT', `/v1/watchlist/${assetId}`, { token, body: { note: 'hi' } });
    expect(refused.status).toBe(400);
    expect((refused.json as Problem).errors?.map((e) => e.field)).toEqual(['body.note']);
    expect(await itemsOfUser(userId)).toEqual([]);
    expect((await call('PUT', `/v1/watchlist/${assetId}`, { token, body: {} })).status).toBe(200);
  });

  it('limit takes plain digits only', async () => {
    const token = await tokenFor(newUserId());
    for (const limit of ['0x10', '1e2', '%207%20', '-1']) {
      expect((await call('GET', `/v1/watchlist?limit=${limit}`, { token })).status, limit).toBe(400);
    }
    expect((await call('GET', '/v1/watchlist?limit=7', { token })).status).toBe(200);
  });

  it('401 answers name the Bearer scheme', async () => {
    const response = await call('GET', '/v1/watchlist');
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
  });
});
