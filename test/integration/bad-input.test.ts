import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { routes } from '../../lib/routes';
import { MAX_DIFF_BODY_BYTES } from '../../lambdas/catalogs/catalog-limits';
import { MAX_MESSAGE_BYTES, MAX_MESSAGE_SECONDS } from '../../lambdas/messages/message-limits';
import { MAX_DATASET_NAME_LENGTH, MAX_RECORD_BODY_BYTES, MAX_RECORD_KEY_LENGTH, MAX_VALUE_BYTES, MAX_VALUE_DEPTH } from '../../lambdas/datasets/dataset-limits';
import { DEFAULT_MAX_BODY_BYTES } from '../../lambdas/shared/http';
import { MAX_PUSH_BODY_BYTES } from '../../lambdas/sync/mutations';
import { openSession } from '../support/sync';
import { call, createAsset, newUserId, tokenFor } from '../support/api';
import { itemsOfPartition, itemsOfUser } from '../support/table';

/**
 * Every route, from the route table, gets every kind of bad input; each answer must be a 4xx
 * problem+json naming the offending field, and nothing may be written.
 */
const authenticated = routes.filter((r) => r.auth === 'jwt');
const bodyExamples: Record<string, unknown> = {
  PutProgress: { progress: 10 },
  PutAsset: { title: 'A title' },
  PutDatasetRecord: { value: { theme: 'dark' } },
  OpenSyncSession: { deviceId: 'phone' },
  PutShow: { title: 'A show' },
  PutEpisode: { title: 'An episode', audioUrl: 'https://cdn.example.org/a.mp3', contentType: 'audio/mpeg', durationSeconds: 60, publishedAt: '2026-01-01T00:00:00Z' },
  PatchQueueEntry: { state: 'finished' },
  FetchEpisodes: { perShow: 1 },
  PutCatalog: { name: 'A catalog' },
  AddCatalogKeys: { keys: [`asset:${randomUUID()}`] },
  RemoveCatalogKeys: { keys: [`show:${randomUUID()}`] },
  DiffCatalog: { keys: [] },
  BatchGetCatalogItems: { keys: [`episode:${randomUUID()}`] },
  SendMessage: { recipientId: 'someone-else', contentType: 'video/mp4', sizeBytes: 1000 },
  SetMessageState: { state: 'VIEWED' },
  RegisterDevice: { platform: 'android', token: 'bad-input-token-'.repeat(3) },
  CreateGpodderCredential: { label: 'An app' },
};
/** Routes that take larger bodies than DEFAULT_MAX_BODY_BYTES. */
const maxBodyBytes: Record<string, number> = { PutDatasetRecord: MAX_RECORD_BODY_BYTES, PushSyncSession: MAX_PUSH_BODY_BYTES, DiffCatalog: MAX_DIFF_BODY_BYTES };

/** A concrete path for a route: the given asset id, valid names on dataset routes, well-formed session and message ids. */
const someSessionId: string = randomUUID();
const someMessageId: string = randomUUID();
const fillPath = (path: string, assetId = '', sessionId = someSessionId) =>
  path
    .replace('{assetId}', assetId)
    .replace('{showId}', assetId || sessionId)
    .replace('{episodeId}', assetId || sessionId)
    .replace('{messageId}', assetId || someMessageId)
    .replace('{dataset}', 'settings')
    .replace('{key}', 'theme')
    .replace('{sessionId}', sessionId)
    .replace('{catalogId}', 'bad-input-catalog')
    .replace('{deviceId}', 'bad-input-device')
    .replace('{credentialId}', assetId || sessionId);

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
  const withId = (id: string) => fillPath(route.path, id);

  it('rejects an id that is not a UUID, naming the path parameter', async () => {
    const param = ['assetId', 'showId', 'episodeId', 'messageId', 'credentialId'].find((name) => route.path.includes(`{${name}}`));
    if (!param) return;
    const userId = newUserId();
    const token = await tokenFor(userId, { scopes: ['catalog:write'] });
    for (const id of ['not-a-uuid', '3f2504e0-4f89-11d3-9a0c-0305e82c330', "x' OR '1'='1", '%00']) {
      await expectProblem(await call(route.method, withId(id), { token, body: bodyExamples[route.id] }), 400, `path.${param}`);
    }
    expect(await itemsOfUser(userId)).toEqual([]);
  });

  if (route.path.includes('{dataset}')) {
    it('rejects a dataset name or record key with a character outside [A-Za-z0-9_.:-] or over its length, naming path.dataset or path.key', async () => {
      const userId = newUserId();
      const token = await tokenFor(userId);
      const bad = ['a%20b', 'a%23b', 'a%2Fb', 'caf%C3%A9', '%00', "x'%20OR%20'1'%3D'1"];
      for (const name of [...bad, 'd'.repeat(MAX_DATASET_NAME_LENGTH + 1)]) {
        await expectProblem(await call(route.method, route.path.replace('{dataset}', name).replace('{key}', 'theme'), { token, body: bodyExamples[route.id] }), 400, 'path.dataset');
      }
      if (route.path.includes('{key}')) {
        for (const key of [...bad, 'k'.repeat(MAX_RECORD_KEY_LENGTH + 1)]) {
          await expectProblem(await call(route.method, route.path.replace('{dataset}', 'settings').replace('{key}', key), { token, body: bodyExamples[route.id] }), 400, 'path.key');
        }
      }
      expect(await itemsOfUser(userId)).toEqual([]);
    });
  }

  if (route.path.includes('{catalogId}')) {
    it('rejects a catalog id outside [a-z0-9-], starting with a dash, or over 64 characters, naming path.catalogId', async () => {
      const token = await tokenFor(newUserId(), { scopes: ['catalog:write'] });
      for (const id of ['Upper', '-dash', 'a_b', 'a%20b', 'a%23b', 'caf%C3%A9', '%00', "x'%20OR%20'1'%3D'1", 'c'.repeat(65)]) {
        await expectProblem(await call(route.method, route.path.replace('{catalogId}', id), { token, body: bodyExamples[route.id] }), 400, 'path.catalogId');
        if (id !== '%00') expect(await itemsOfPartition(`CATALOG#${decodeURIComponent(id)}`)).toEqual([]);
      }
    });
  }

  it('rejects unknown query parameters', async () => {
    const userId = newUserId();
    const token = await tokenFor(userId, { scopes: ['catalog:write'] });
    const assetId = await createAsset();
    await expectProblem(await call(route.method, `${withId(assetId)}?debug=1`, { token, body: bodyExamples[route.id] }), 400, 'query.debug');
    // Names an object inherits are parameters like any other, not properties to drop or read.
    for (const name of ['__proto__', 'constructor', 'toString']) {
      await expectProblem(await call(route.method, `${withId(assetId)}?${name}=1`, { token, body: bodyExamples[route.id] }), 400, `query.${name}`);
    }
    expect(await itemsOfUser(userId)).toEqual([]);
  });

  const param = route.path.match(/\{(\w+)\}/)?.[1];
  if (param !== undefined) {
    it(`answers broken percent-encoding in the path with 400 naming path.${param}`, async () => {
      const userId = newUserId();
      const token = await tokenFor(userId, { scopes: ['catalog:write'] });
      for (const broken of ['%ZZ', '%', '%E0%A4%A', '%C3']) {
        const path = route.path.replace(`{${param}}`, broken).replace(/\{\w+\}/g, 'settings');
        await expectProblem(await call(route.method, path, { token, body: bodyExamples[route.id] }), 400, `path.${param}`);
      }
      expect(await itemsOfUser(userId)).toEqual([]);
    });
  }

  it('rejects a body over the limit with 413', async () => {
    const userId = newUserId();
    const token = await tokenFor(userId, { scopes: ['catalog:write'] });
    const assetId = await createAsset();
    const huge = JSON.stringify({ progress: 1, title: 'x'.repeat(maxBodyBytes[route.id] ?? DEFAULT_MAX_BODY_BYTES) });
    await expectProblem(await call(route.method, withId(assetId), { token, rawBody: huge, headers: { 'content-type': 'application/json' } }), 413, 'body');
    expect(await itemsOfUser(userId)).toEqual([]);
  });

  if (route.method === 'GET' && !route.path.endsWith('}')) {
    it('rejects a limit out of range or not a number, and a forged cursor', async () => {
      const token = await tokenFor(newUserId());
      // A session's pull checks its cursor only once the session is known to be the caller's.
      const listPath = route.path.includes('{sessionId}') ? fillPath(route.path, '', (await openSession(token, 'phone')).sessionId) : fillPath(route.path);
      for (const query of ['limit=0', 'limit=1001', 'limit=abc', 'limit=1.5']) {
        await expectProblem(await call('GET', `${listPath}?${query}`, { token }), 400, 'query.limit');
      }
      for (const cursor of ['garbage', Buffer.from('{"after":"PROGRESS#x"}').toString('base64url'), Buffer.from('{"after":"OTHER#1"}').toString('base64url')]) {
        const response = await call('GET', `${listPath}?cursor=${cursor}`, { token });
        if (response.status !== 400) {
          // A cursor of the right kind for another list is refused too; never a 500.
          expect(response.status).toBeLessThan(500);
        }
      }
      await expectProblem(await call('GET', `${listPath}?cursor=garbage`, { token }), 400, 'query.cursor');
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
  } else if (route.id === 'PutDatasetRecord') {
    const json = (rawBody: string) => ({ rawBody, headers: { 'content-type': 'application/json' } });
    const nested = (depth: number): unknown => (depth === 0 ? 1 : [nested(depth - 1)]);
    cases.push(
      ['no value', { body: {} }, 400, 'body.value'],
      ['a value one byte over the limit', { body: { value: 'x'.repeat(MAX_VALUE_BYTES - 1) } }, 400, 'body.value'],
      ['a value nested one level too deep', { body: { value: nested(MAX_VALUE_DEPTH + 1) } }, 400, 'body.value'],
      ['a value nested thousands deep', json(`{"value": ${'['.repeat(15_000)}${']'.repeat(15_000)}}`), 400, 'body.value'],
      ['a number past the double range', json('{"value": [1e400]}'), 400, 'body.value'],
      ['an integer too large to be exact', json('{"value": {"id": 9007199254740993}}'), 400, 'body.value'],
      ['an empty member name', { body: { value: { '': 1 } } }, 400, 'body.value'],
      ['a lone surrogate', json('{"value": "\\ud800"}'), 400, 'body.value'],
    );
  } else if (route.id === 'OpenSyncSession') {
    cases.push(['a number where a device id belongs', { body: { deviceId: 42 } }, 400, 'body.deviceId']);
  } else if (route.id === 'PutCatalog') {
    cases.push(['a number where a name belongs', { body: { name: 42 } }, 400, 'body.name'], ['a blank name', { body: { name: '  ' } }, 400, 'body.name']);
  } else if (['AddCatalogKeys', 'RemoveCatalogKeys', 'DiffCatalog', 'BatchGetCatalogItems'].includes(route.id)) {
    cases.push(
      ['a number where a key belongs', { body: { keys: [42] } }, 400, 'body.keys.0'],
      ['a key that is not a content key', { body: { keys: ['asset:1'] } }, 400, 'body.keys.0'],
      ['a key instead of a list', { body: { keys: `asset:${randomUUID()}` } }, 400, 'body.keys'],
    );
  } else if (route.id === 'SendMessage') {
    const send = (fields: Record<string, unknown>) => ({ body: { ...(bodyExamples.SendMessage as object), ...fields } });
    cases.push(
      ['a number where a recipient id belongs', send({ recipientId: 42 }), 400, 'body.recipientId'],
      ['a recipient id with a control character', send({ recipientId: 'a\u0000b' }), 400, 'body.recipientId'],
      ['a recipient id over 256 characters', send({ recipientId: 'r'.repeat(257) }), 400, 'body.recipientId'],
      ['a recipient id with U+FFFF, which SQS refuses', send({ recipientId: 'x\uffff' }), 400, 'body.recipientId'],
      ['a recipient id with a lone surrogate', { rawBody: `{"recipientId":"x\\ud800","contentType":"video/mp4","sizeBytes":1000}`, headers: { 'content-type': 'application/json' } }, 400, 'body.recipientId'],
      ['a recipient id with a newline', send({ recipientId: 'bob\nmallory' }), 400, 'body.recipientId'],
      ['a content type that is not a video type', send({ contentType: 'audio/mpeg' }), 400, 'body.contentType'],
      ['zero bytes', send({ sizeBytes: 0 }), 400, 'body.sizeBytes'],
      ['one byte over the limit', send({ sizeBytes: MAX_MESSAGE_BYTES + 1 }), 400, 'body.sizeBytes'],
      ['a size as a string', send({ sizeBytes: '1000' }), 400, 'body.sizeBytes'],
      ['a zero duration', send({ durationSeconds: 0 }), 400, 'body.durationSeconds'],
      ['a duration over the limit', send({ durationSeconds: MAX_MESSAGE_SECONDS + 0.5 }), 400, 'body.durationSeconds'],
    );
  } else if (route.id === 'CreateGpodderCredential') {
    cases.push(['a number where a label belongs', { body: { label: 42 } }, 400, 'body.label'], ['a blank label', { body: { label: '  ' } }, 400, 'body.label']);
  } else if (route.id === 'SetMessageState') {
    cases.push(
      ['the state only the server sets', { body: { state: 'UPLOADED' } }, 400, 'body.state'],
      ['a state in lower case', { body: { state: 'viewed' } }, 400, 'body.state'],
      ['a number where a state belongs', { body: { state: 2 } }, 400, 'body.state'],
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
      await expectProblem(await call(route.method, fillPath(route.path, assetId), { token, ...request }), status, field);
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

  it('a DELETE with ?__proto__=1 is refused and deletes nothing', async () => {
    const publisher = await tokenFor(newUserId(), { scopes: ['catalog:write'] });
    const assetId = await createAsset();
    await expectProblem(await call('DELETE', `/v1/catalog/assets/${assetId}?__proto__=1`, { token: publisher }), 400, 'query.__proto__');
    expect((await call('GET', `/v1/catalog/assets/${assetId}`, { token: publisher })).json).not.toHaveProperty('deletedAt');
  });

  it('401 answers name the Bearer scheme', async () => {
    const response = await call('GET', '/v1/watchlist');
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
  });
});
