import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { DATASET_COUNT_ENTITY, DATASET_ENTITY, DATASET_RECORD_ENTITY, newDatasetItem } from '../../lambdas/datasets/dataset-item';
import {
  MAX_DATASET_NAME_LENGTH,
  MAX_DATASETS_PER_USER,
  MAX_RECORD_BODY_BYTES,
  MAX_RECORD_KEY_LENGTH,
  MAX_RECORDS_PER_DATASET,
  MAX_RECORDS_PER_PAGE,
  MAX_VALUE_BYTES,
  MAX_VALUE_DEPTH,
  MAX_VALUE_NUMBER,
  MIN_VALUE_MAGNITUDE,
} from '../../lambdas/datasets/dataset-limits';
import { type ApiResponse, call, createAsset, newUserId, tokenFor } from '../support/api';
import { pull, pullAll, waitForFeed } from '../support/feed';
import { pointHandlersAtLocalStack } from '../support/handler-env';
import { itemsOfUser, putItem } from '../support/table';

interface DatasetRecord {
  dataset: string;
  key: string;
  value: unknown;
  version: number;
  updatedAt: string;
}

interface DatasetSummary {
  dataset: string;
  recordCount: number;
  updatedAt: string;
}

interface Problem {
  type: string;
  status: number;
  current?: DatasetRecord | null;
  errors?: { field: string; message: string }[];
}

const recordPath = (dataset: string, key: string) => `/v1/datasets/${dataset}/records/${key}`;
const ifMatch = (version: string | undefined) => (version === undefined ? {} : { headers: { 'if-match': version } });

const putRecord = (token: string, dataset: string, key: string, value: unknown, version?: string) =>
  call('PUT', recordPath(dataset, key), { token, body: { value }, ...ifMatch(version) });
const getRecord = (token: string, dataset: string, key: string) => call('GET', recordPath(dataset, key), { token });
const deleteRecord = (token: string, dataset: string, key: string, version?: string) => call('DELETE', recordPath(dataset, key), { token, ...ifMatch(version) });

const recordOf = (response: ApiResponse) => response.json as DatasetRecord;
const problemOf = (response: ApiResponse) => response.json as Problem;
const nextLink = (response: ApiResponse) => /^<([^>]+)>; rel="next"$/.exec(response.headers.get('link') ?? '')?.[1];

/** Every page of a list, following `Link` headers. */
async function listAll<T>(token: string, path: string): Promise<{ items: T[]; pageSizes: number[] }> {
  const items: T[] = [];
  const pageSizes: number[] = [];
  for (let next: string | undefined = path; next !== undefined; ) {
    const response = await call('GET', next, { token });
    expect(response.status).toBe(200);
    items.push(...(response.json as T[]));
    pageSizes.push((response.json as T[]).length);
    next = nextLink(response);
  }
  return { items, pageSizes };
}

const listDatasets = async (token: string) => (await listAll<DatasetSummary>(token, '/v1/datasets')).items;

/** What the dataset routes stored for a user; feed entries, which the stream router adds later, are left out. */
async function datasetItemsOf(userId: string) {
  const entities: unknown[] = [DATASET_RECORD_ENTITY, DATASET_ENTITY, DATASET_COUNT_ENTITY];
  return (await itemsOfUser(userId)).filter((item) => entities.includes(item.entity));
}

async function newUser(label?: string) {
  const userId = newUserId(label);
  return { userId, token: await tokenFor(userId) };
}

const nested = (depth: number): unknown => (depth === 0 ? 'bottom' : { down: nested(depth - 1) });

let putDatasetRecord: typeof import('../../lambdas/datasets/put-dataset-record').handler;

describe('dataset records', () => {
  // DynamoDB Local invalidates the local stream poller's open shard iterator when a
  // transaction is cancelled while the stream is still empty, and the poller then stops
  // delivering (a bug in the laptop runtime, not in DynamoDB). Creating a dataset cancels one
  // transaction by design, so a plain write comes first in case this file starts the run.
  beforeAll(async () => {
    await createAsset();
    pointHandlersAtLocalStack();
    ({ handler: putDatasetRecord } = await import('../../lambdas/datasets/put-dataset-record'));
  });

  it('are created at version 1, read back, replaced with one more version per write, and deleted', async () => {
    const { userId, token } = await newUser();
    const created = await putRecord(token, 'settings', 'theme', { mode: 'dark' });
    expect(created.status).toBe(200);
    expect(created.json).toEqual({ dataset: 'settings', key: 'theme', value: { mode: 'dark' }, version: 1, updatedAt: expect.any(String) });
    expect(created.headers.get('etag')).toBe('"1"');

    const read = await getRecord(token, 'settings', 'theme');
    expect(read.json).toEqual(created.json);
    expect(read.headers.get('etag')).toBe('"1"');

    const replaced = await putRecord(token, 'settings', 'theme', { mode: 'light' });
    expect(recordOf(replaced)).toMatchObject({ value: { mode: 'light' }, version: 2 });
    expect(replaced.headers.get('etag')).toBe('"2"');
    expect(recordOf(replaced).updatedAt >= recordOf(created).updatedAt).toBe(true);
    // The same value again is still a write.
    expect(recordOf(await putRecord(token, 'settings', 'theme', { mode: 'light' })).version).toBe(3);

    const records = await call('GET', '/v1/datasets/settings/records', { token });
    expect(records.json).toEqual([{ ...recordOf(replaced), version: 3, updatedAt: expect.any(String) }]);
    // The dataset's updatedAt moves with creations and deletions only (see dataset-store.ts).
    expect(await listDatasets(token)).toEqual([{ dataset: 'settings', recordCount: 1, updatedAt: recordOf(created).updatedAt }]);

    const removed = await deleteRecord(token, 'settings', 'theme');
    expect(removed.status).toBe(200);
    expect(removed.json).toEqual({ dataset: 'settings', key: 'theme' });
    const gone = await getRecord(token, 'settings', 'theme');
    expect(gone.status).toBe(404);
    expect(problemOf(gone).type).toBe('urn:playhead:problem:record-not-found');
    expect((await deleteRecord(token, 'settings', 'theme')).status).toBe(200);

    // The dataset went with its last record; only the user's (now zero) dataset count remains.
    expect(await listDatasets(token)).toEqual([]);
    expect(await datasetItemsOf(userId)).toEqual([expect.objectContaining({ entity: DATASET_COUNT_ENTITY, datasetCount: 0 })]);
  });

  // No empty object here: DynamoDB Local writes an empty map into stream records as `{}`
  // rather than `{"M":{}}`, which the local stream poller passes on and the stream router
  // cannot read, so one `{}` would stall the laptop's change feed for every test. DynamoDB
  // itself, and so the deployed stack, has no such problem.
  it('hold any JSON value within the limits exactly as sent, up to the limits themselves', async () => {
    const { token } = await newUser();
    const values: unknown[] = [
      null,
      false,
      true,
      0,
      -1.5,
      0.1,
      1e-7,
      MAX_VALUE_NUMBER,
      -MAX_VALUE_NUMBER,
      MIN_VALUE_MAGNITUDE,
      '',
      'ünïcödé 😀 "quoted" \\ back',
      [],
      { list: [1, 'two', null, { three: false }], '#': 'hash', 'a.b': 'dot' },
      'x'.repeat(MAX_VALUE_BYTES - 2),
      nested(MAX_VALUE_DEPTH),
    ];
    const responses = await Promise.all(values.map((value, i) => putRecord(token, 'json', `k${i}`, value)));
    for (const [i, response] of responses.entries()) {
      expect(response.status, `value ${i}`).toBe(200);
      expect(recordOf(response).value).toEqual(values[i]);
      expect(recordOf(await getRecord(token, 'json', `k${i}`)).value, `value ${i}`).toEqual(values[i]);
    }
  });

  it('answer a stale If-Match with 412 carrying the current record, and write nothing', async () => {
    const { userId, token } = await newUser();
    await putRecord(token, 'notes', 'n1', 'first');
    const second = await putRecord(token, 'notes', 'n1', 'second', '"1"');
    expect(recordOf(second).version).toBe(2);
    const third = await putRecord(token, 'notes', 'n1', 'third', '2');
    expect(recordOf(third)).toMatchObject({ value: 'third', version: 3 });

    const before = await datasetItemsOf(userId);
    const stalePut = await putRecord(token, 'notes', 'n1', 'lost update', '"1"');
    expect(stalePut.status).toBe(412);
    expect(problemOf(stalePut).type).toBe('urn:playhead:problem:version-mismatch');
    expect(problemOf(stalePut).current).toEqual(third.json);

    const staleDelete = await deleteRecord(token, 'notes', 'n1', '"2"');
    expect(staleDelete.status).toBe(412);
    expect(problemOf(staleDelete).current).toEqual(third.json);
    expect(await datasetItemsOf(userId)).toEqual(before);
    expect((await getRecord(token, 'notes', 'n1')).json).toEqual(third.json);

    expect((await deleteRecord(token, 'notes', 'n1', '"3"')).status).toBe(200);
    expect((await getRecord(token, 'notes', 'n1')).status).toBe(404);
  });

  it('answer If-Match on a record that does not exist with 412 and current null, creating nothing', async () => {
    const { userId, token } = await newUser();
    const put = await putRecord(token, 'notes', 'never', 'value', '"1"');
    expect(put.status).toBe(412);
    expect(problemOf(put).current).toBeNull();
    const removed = await deleteRecord(token, 'notes', 'never', '1');
    expect(removed.status).toBe(412);
    expect(problemOf(removed).current).toBeNull();
    expect(await datasetItemsOf(userId)).toEqual([]);
    expect(await listDatasets(token)).toEqual([]);
  });

  it('refuse a malformed If-Match with 400 naming header.if-match', async () => {
    const { userId, token } = await newUser();
    await putRecord(token, 'notes', 'n1', 'kept');
    const before = await datasetItemsOf(userId);
    for (const header of ['*', 'W/"1"', '"1", "2"', 'one', '0', '"01"', '1.5', '-1', '']) {
      for (const response of [await putRecord(token, 'notes', 'n1', 'changed', header), await deleteRecord(token, 'notes', 'n1', header)]) {
        expect(response.status, header).toBe(400);
        expect(problemOf(response).errors?.map((e) => e.field)).toEqual(['header.if-match']);
      }
    }
    expect(await datasetItemsOf(userId)).toEqual(before);
  });

  it('are counted exactly when devices create, rewrite and delete the same records at once', async () => {
    const { userId, token } = await newUser();
    const keys = Array.from({ length: 10 }, (_, i) => `k${i}`);
    const writes = await Promise.all(keys.flatMap((key) => [1, 2, 3].map((n) => putRecord(token, 'shared', key, n))));
    expect(writes.map((r) => r.status)).toEqual(writes.map(() => 200));
    const records = await listAll<DatasetRecord>(token, '/v1/datasets/shared/records');
    expect(records.items.map((r) => [r.key, r.version])).toEqual(keys.map((key) => [key, 3]));
    expect(await listDatasets(token)).toEqual([{ dataset: 'shared', recordCount: keys.length, updatedAt: expect.any(String) }]);

    const deletes = await Promise.all(keys.flatMap((key) => [deleteRecord(token, 'shared', key), deleteRecord(token, 'shared', key)]));
    expect(deletes.map((r) => r.status)).toEqual(deletes.map(() => 200));
    expect(await listDatasets(token)).toEqual([]);
    expect(await datasetItemsOf(userId)).toEqual([expect.objectContaining({ entity: DATASET_COUNT_ENTITY, datasetCount: 0 })]);
  });

  it(`refuse a dataset past ${MAX_DATASETS_PER_USER} per user with 409, even when created at once, and free a place when one empties`, async () => {
    const { userId, token } = await newUser();
    const names = Array.from({ length: MAX_DATASETS_PER_USER + 5 }, (_, i) => `d${String(i).padStart(2, '0')}`);
    const responses = await Promise.all(names.map((name) => putRecord(token, name, 'only', name)));
    const accepted = names.filter((_, i) => responses[i]?.status === 200);
    const refused = names.filter((_, i) => responses[i]?.status === 409);
    expect(accepted).toHaveLength(MAX_DATASETS_PER_USER);
    expect(refused).toHaveLength(5);
    for (const response of responses.filter((r) => r.status === 409)) expect(problemOf(response).type).toBe('urn:playhead:problem:dataset-limit-reached');

    expect((await listDatasets(token)).map((d) => d.dataset)).toEqual(accepted);
    const stored = await datasetItemsOf(userId);
    expect(stored.filter((item) => item.entity === DATASET_RECORD_ENTITY).map((item) => item.dataset)).toEqual(accepted);
    expect(stored.find((item) => item.entity === DATASET_COUNT_ENTITY)).toMatchObject({ datasetCount: MAX_DATASETS_PER_USER });

    const [first, second] = accepted;
    const [waiting] = refused;
    if (first === undefined || second === undefined || waiting === undefined) throw new Error('expected accepted and refused datasets');
    // Existing datasets still take new records.
    expect((await putRecord(token, second, 'more', 1)).status).toBe(200);
    expect((await putRecord(token, waiting, 'only', 'value')).status).toBe(409);
    expect((await deleteRecord(token, first, 'only')).status).toBe(200);
    expect((await putRecord(token, waiting, 'only', 'value')).status).toBe(200);
    expect(await listDatasets(token)).toHaveLength(MAX_DATASETS_PER_USER);
  });

  it(`refuse a record past ${MAX_RECORDS_PER_DATASET} in a dataset with 409, while updates and deletes still work`, async () => {
    const { userId, token } = await newUser();
    const first = recordOf(await putRecord(token, 'full', 'r0', 0));
    // 1024 records through the API take seconds (DynamoDB Local runs transactions one at a
    // time); the limit reads only the dataset's count, so the test sets the count as if
    // another 1022 records existed.
    await putItem(newDatasetItem(userId, 'full', MAX_RECORDS_PER_DATASET - 1, first.updatedAt));

    expect((await putRecord(token, 'full', 'r1', 1)).status).toBe(200);
    expect((await listDatasets(token))[0]?.recordCount).toBe(MAX_RECORDS_PER_DATASET);

    const before = await datasetItemsOf(userId);
    const refused = await putRecord(token, 'full', 'r2', 2);
    expect(refused.status).toBe(409);
    expect(problemOf(refused).type).toBe('urn:playhead:problem:dataset-limit-reached');
    expect(await datasetItemsOf(userId)).toEqual(before);
    expect((await getRecord(token, 'full', 'r2')).status).toBe(404);

    expect(recordOf(await putRecord(token, 'full', 'r1', 'updated'))).toMatchObject({ value: 'updated', version: 2 });
    expect((await putRecord(token, 'elsewhere', 'r2', 2)).status).toBe(200);
    expect((await deleteRecord(token, 'full', 'r1')).status).toBe(200);
    expect((await listDatasets(token)).find((d) => d.dataset === 'full')?.recordCount).toBe(MAX_RECORDS_PER_DATASET - 1);
    expect((await putRecord(token, 'full', 'r2', 2)).status).toBe(200);
  });

  it('are paged by key, datasets by name, and a records cursor is good only for its own dataset', async () => {
    const { token } = await newUser();
    for (const key of ['e', 'a', 'c', 'b', 'd']) await putRecord(token, 'pages', key, key);
    for (const name of ['pages-b', 'pages-a']) await putRecord(token, name, 'x', name);

    const records = await listAll<DatasetRecord>(token, '/v1/datasets/pages/records?limit=2');
    expect(records.pageSizes).toEqual([2, 2, 1]);
    expect(records.items.map((r) => r.key)).toEqual(['a', 'b', 'c', 'd', 'e']);

    const datasets = await listAll<DatasetSummary>(token, '/v1/datasets?limit=2');
    expect(datasets.pageSizes).toEqual([2, 1]);
    expect(datasets.items.map((d) => [d.dataset, d.recordCount])).toEqual([
      ['pages', 5],
      ['pages-a', 1],
      ['pages-b', 1],
    ]);

    const first = await call('GET', '/v1/datasets/pages/records?limit=2', { token });
    const cursor = new URL(nextLink(first) ?? '', 'http://x').searchParams.get('cursor');
    const elsewhere = await call('GET', `/v1/datasets/pages-a/records?cursor=${cursor}`, { token });
    expect(elsewhere.status).toBe(400);
    expect(problemOf(elsewhere).errors?.map((e) => e.field)).toEqual(['query.cursor']);
  });

  it(`come at most ${MAX_RECORDS_PER_PAGE} to a page, whatever limit asks`, async () => {
    const { token } = await newUser();
    const keys = Array.from({ length: MAX_RECORDS_PER_PAGE + 1 }, (_, i) => `r${String(i).padStart(3, '0')}`);
    for (let start = 0; start < keys.length; start += 25) {
      await Promise.all(keys.slice(start, start + 25).map((key) => putRecord(token, 'many', key, key)));
    }
    const first = await call('GET', '/v1/datasets/many/records?limit=1000', { token });
    expect((first.json as unknown[]).length).toBe(MAX_RECORDS_PER_PAGE);
    expect(nextLink(first)).toMatch(/limit=1000/);
    const all = await listAll<DatasetRecord>(token, '/v1/datasets/many/records?limit=1000');
    expect(all.pageSizes).toEqual([MAX_RECORDS_PER_PAGE, 1]);
    expect(all.items.map((r) => r.key)).toEqual(keys);
  });

  it('join the change feed, every write with the record as GET returns it, and the dataset bookkeeping does not', async () => {
    const { token } = await newUser();
    const start = (await pull(token)).cursor;
    // Each write is read from the feed before the next, which would otherwise compact it away.
    let cursor = start;
    const feedShows = async (key: string, op: 'upsert' | 'delete', value?: unknown) => {
      const changes = await waitForFeed(token, cursor, (cs) => cs.some((c) => c.key === key && c.op === op));
      expect(changes.map((c) => [c.type, c.key, c.op, c.value])).toEqual([['dataset-record', key, op, value]]);
      cursor = (await pullAll(token, cursor)).cursor;
    };
    const largest = await putRecord(token, 'feed', 'large', 'x'.repeat(MAX_VALUE_BYTES - 2));
    await feedShows('feed/large', 'upsert', largest.json);
    const deepest = await putRecord(token, 'feed', 'deep', { n: MAX_VALUE_NUMBER, tree: nested(MAX_VALUE_DEPTH - 1) });
    await feedShows('feed/deep', 'upsert', deepest.json);
    const rewritten = await putRecord(token, 'feed', 'large', 'small', '"1"');
    await feedShows('feed/large', 'upsert', rewritten.json);
    await deleteRecord(token, 'feed', 'deep');
    await feedShows('feed/deep', 'delete');
    await deleteRecord(token, 'feed', 'large');
    await feedShows('feed/large', 'delete');
    // Caught up from the start, each record once, as its removal.
    expect((await pullAll(token, start)).changes.map((c) => [c.key, c.op])).toEqual([
      ['feed/deep', 'delete'],
      ['feed/large', 'delete'],
    ]);
  });

  it("of another user are invisible and unchangeable", async () => {
    const alice = await newUser('alice');
    const bob = await newUser('bob');
    const original = await putRecord(alice.token, 'notes', 'n1', { by: 'alice' });

    expect((await getRecord(bob.token, 'notes', 'n1')).status).toBe(404);
    expect((await call('GET', '/v1/datasets/notes/records', { token: bob.token })).json).toEqual([]);
    expect(await listDatasets(bob.token)).toEqual([]);
    expect((await deleteRecord(bob.token, 'notes', 'n1')).status).toBe(200);
    const guessed = await putRecord(bob.token, 'notes', 'n1', { by: 'bob' }, '"1"');
    expect(guessed.status).toBe(412);
    expect(problemOf(guessed).current).toBeNull();
    expect(recordOf(await putRecord(bob.token, 'notes', 'n1', { by: 'bob' }))).toMatchObject({ value: { by: 'bob' }, version: 1 });

    expect((await getRecord(alice.token, 'notes', 'n1')).json).toEqual(original.json);
    expect(await listDatasets(alice.token)).toEqual([{ dataset: 'notes', recordCount: 1, updatedAt: recordOf(original).updatedAt }]);
  });

  it('take names and keys of every allowed character up to their longest, and refuse others with 400 naming path.dataset or path.key', async () => {
    const { userId, token } = await newUser();
    const longestName = 'Az09_.:-'.repeat(MAX_DATASET_NAME_LENGTH / 8);
    const longestKey = 'Az09_.:-'.repeat(MAX_RECORD_KEY_LENGTH / 8);
    const accepted = await putRecord(token, longestName, longestKey, 1);
    expect(accepted.status).toBe(200);
    expect(recordOf(accepted)).toMatchObject({ dataset: longestName, key: longestKey });
    expect((await getRecord(token, longestName, longestKey)).json).toEqual(accepted.json);

    const before = await datasetItemsOf(userId);
    for (const [dataset, key, field] of [
      [`${longestName}x`, 'k', 'path.dataset'],
      ['d', `${longestKey}x`, 'path.key'],
      ['a%23b', 'k', 'path.dataset'],
      ['d', 'a%2Fb', 'path.key'],
      ['d', 'sp%20ace', 'path.key'],
    ] as const) {
      const response = await putRecord(token, dataset, key, 1);
      expect(response.status, `${dataset} ${key}`).toBe(400);
      expect(problemOf(response).errors?.map((e) => e.field)).toEqual([field]);
    }
    expect(await datasetItemsOf(userId)).toEqual(before);
  });

  it('refuse the dot segments . and .. as dataset names and record keys with 400 naming the field, creating nothing', async () => {
    // A URL cannot carry them (clients and the gateway drop dot segments, %2E%2E included), so the
    // route's handler is called here as API Gateway would call it, with the parameters decoded.
    const { userId } = await newUser();
    const event = (dataset: string, key: string) =>
      ({
        version: '2.0',
        routeKey: 'PUT /v1/datasets/{dataset}/records/{key}',
        rawPath: `/v1/datasets/${dataset}/records/${key}`,
        rawQueryString: '',
        headers: { 'content-type': 'application/json' },
        pathParameters: { dataset, key },
        body: JSON.stringify({ value: 1 }),
        isBase64Encoded: false,
        requestContext: { requestId: `dots-${dataset}-${key}`, authorizer: { jwt: { claims: { sub: userId, exp: String(Math.floor(Date.now() / 1000) + 3600) }, scopes: null } } },
      }) as unknown as APIGatewayProxyEventV2;
    for (const [dataset, key, field] of [
      ['..', 'k', 'path.dataset'],
      ['.', 'k', 'path.dataset'],
      ['d', '..', 'path.key'],
      ['d', '.', 'path.key'],
    ] as const) {
      const response = (await putDatasetRecord(event(dataset, key))) as APIGatewayProxyStructuredResultV2;
      expect(response.statusCode, `${dataset} ${key}`).toBe(400);
      expect((JSON.parse(response.body ?? '{}') as Problem).errors?.map((e) => e.field)).toEqual([field]);
    }
    expect(await datasetItemsOf(userId)).toEqual([]);
    // Dots inside a name are still fine.
    const { token } = await newUser();
    expect((await putRecord(token, '...', 'a.b', 1)).status).toBe(200);
  });

  it(`refuse a value over ${MAX_VALUE_BYTES} bytes with 400 naming body.value and a body over ${MAX_RECORD_BODY_BYTES} bytes with 413, changing nothing`, async () => {
    const { userId, token } = await newUser();
    const kept = await putRecord(token, 'big', 'k', 'small');
    const before = await datasetItemsOf(userId);

    const oversize = await putRecord(token, 'big', 'k', 'x'.repeat(MAX_VALUE_BYTES - 1));
    expect(oversize.status).toBe(400);
    expect(problemOf(oversize).errors?.map((e) => e.field)).toEqual(['body.value']);
    const multiByte = await putRecord(token, 'big', 'k', 'é'.repeat(MAX_VALUE_BYTES / 2));
    expect(multiByte.status).toBe(400);

    const tooLarge = await call('PUT', recordPath('big', 'k'), {
      token,
      rawBody: JSON.stringify({ value: 'x'.repeat(MAX_RECORD_BODY_BYTES) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(tooLarge.status).toBe(413);
    expect(await datasetItemsOf(userId)).toEqual(before);
    expect((await getRecord(token, 'big', 'k')).json).toEqual(kept.json);
  });
});
