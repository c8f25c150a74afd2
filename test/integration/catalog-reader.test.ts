/**
 * The catalog reader on the local stack's DynamoDB Local: every read path answers the same
 * contract, the per-container cache serves repeats without a request and sees another
 * container's edit only after its TTL, and a DAX client aimed at a closed port falls back to
 * DynamoDB's answer. Speed is the bench's concern; the one bound here (1 s) only proves the
 * fallback does not wait for the DAX client's own, much longer, failure.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocument, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/free-port';
import { endpoints } from '../support/api';
import { pointHandlersAtLocalStack } from '../support/handler-env';

pointHandlersAtLocalStack();
const { cachedCatalogReader, catalogReader, tableCatalogReads } = await import('../../lambdas/catalog/catalog-reader');
const { CatalogItemCache } = await import('../../lambdas/catalog/catalog-reader-cache');
const { catalogReadCounts } = await import('../../lambdas/catalog/catalog-reader-interface');
const { connectDax, daxCatalogReader } = await import('../../lambdas/catalog/catalog-reader-dax');
const { putAsset } = await import('../../lambdas/catalog/asset-store');
const { assetKind, catalogKey } = await import('../../lambdas/catalog/catalog-kinds');
const { newTally, withCapacityTally } = await import('../../lambdas/shared/capacity-meter');

type Reader = import('../../lambdas/catalog/catalog-reader').CatalogReader;

/** Another container's client: its writes drop nothing from this process's cache. */
const elsewhere = DynamoDBDocument.from(new DynamoDBClient({ endpoint: endpoints.dynamodb, region: endpoints.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));

const NOW = '2026-12-01T00:00:00.000Z';
async function newAsset(title = 'Cached'): Promise<string> {
  const assetId = randomUUID();
  await putAsset(assetId, { title, durationSeconds: 600 }, NOW);
  return assetId;
}
const keyOf = (assetId: string) => catalogKey(assetKind, assetId);

/** A title edit made by another function's container, straight to the table. */
async function retitleElsewhere(assetId: string, title: string): Promise<void> {
  await elsewhere.send(new UpdateCommand({ TableName: endpoints.tableName, Key: keyOf(assetId), UpdateExpression: 'SET title = :title', ExpressionAttributeValues: { ':title': title } }));
}

/** The reads `work` made, as the capacity meter counts them for one request. */
async function tallied<T>(work: () => Promise<T>) {
  const tally = newTally();
  const value = await withCapacityTally(tally, work);
  return { value, requests: tally.requests, readUnits: tally.readUnits };
}

let closedDax: ReturnType<typeof connectDax>;

beforeAll(async () => {
  // Nothing listens there: the port was free a moment ago and is not bound again.
  closedDax = connectDax(`dax://127.0.0.1:${await freePort()}`);
});

afterAll(() => closedDax?.shutdown());

describe.each<[string, () => Reader]>([
  ['DynamoDB alone', () => tableCatalogReads],
  ['the per-container cache', () => cachedCatalogReader(tableCatalogReads, new CatalogItemCache(60_000, 100))],
  // DaxDocument's method shape (get, batchGet) answered by DynamoDB Local, as the cluster would.
  ['the DAX reader, with DynamoDB Local in the client’s place', () => daxCatalogReader(elsewhere, tableCatalogReads)],
  ['the DAX reader, with the cluster unreachable', () => daxCatalogReader(closedDax, tableCatalogReads)],
])('the catalog reader through %s', (_, makeReader) => {
  it('finds an item by key, and answers undefined for a key that names nothing', async () => {
    const reader = makeReader();
    const assetId = await newAsset('Found');
    expect(await reader.get(keyOf(assetId))).toMatchObject({ assetId, title: 'Found', durationSeconds: 600 });
    expect(await reader.get(keyOf(randomUUID()))).toBeUndefined();
  });

  it('batch-gets the items that exist among 150 keys (beyond one request of 100), leaving out the absent', async () => {
    const reader = makeReader();
    const present = await Promise.all(Array.from({ length: 75 }, () => newAsset('Batch')));
    const absent = Array.from({ length: 75 }, () => randomUUID());
    const items = await reader.batchGet([...present, ...absent].map(keyOf));
    expect(items.map((item) => item.assetId).sort()).toEqual([...present].sort());
  });
});

describe('the per-container cache', () => {
  it('serves a repeated read from memory: one request and half a read unit for three reads', async () => {
    const reader = cachedCatalogReader(tableCatalogReads, new CatalogItemCache(60_000, 100));
    const assetId = await newAsset();
    const { requests, readUnits, value } = await tallied(async () => [await reader.get(keyOf(assetId)), await reader.get(keyOf(assetId)), await reader.get(keyOf(assetId))]);
    expect(value.map((item) => item?.assetId)).toEqual([assetId, assetId, assetId]);
    expect({ requests, readUnits }).toEqual({ requests: 1, readUnits: 0.5 });
  });

  it('sees another container’s edit only once its copy has expired (TTL), and then at once', async () => {
    let nowMs = Date.now();
    const ttlMs = 10_000;
    const reader = cachedCatalogReader(tableCatalogReads, new CatalogItemCache(ttlMs, 100, () => nowMs));
    const assetId = await newAsset('Before');
    expect((await reader.get(keyOf(assetId)))?.title).toBe('Before');
    await retitleElsewhere(assetId, 'After');
    // Within the TTL the kept copy answers: the documented staleness.
    nowMs += ttlMs - 1;
    expect((await reader.get(keyOf(assetId)))?.title).toBe('Before');
    nowMs += 1;
    expect((await reader.get(keyOf(assetId)))?.title).toBe('After');
  });

  it('keeps no absent item: a title published after a miss is found on the next read', async () => {
    const reader = cachedCatalogReader(tableCatalogReads, new CatalogItemCache(60_000, 100));
    const assetId = randomUUID();
    expect(await reader.get(keyOf(assetId))).toBeUndefined();
    await putAsset(assetId, { title: 'Published now' }, NOW);
    expect((await reader.get(keyOf(assetId)))?.title).toBe('Published now');
  });

  it('holds at most maxEntries items, dropping the oldest read first', async () => {
    const reader = cachedCatalogReader(tableCatalogReads, new CatalogItemCache(60_000, 2));
    const [a, b, c] = [await newAsset(), await newAsset(), await newAsset()] as [string, string, string];
    for (const id of [a, b, c]) await reader.get(keyOf(id));
    expect((await tallied(() => reader.get(keyOf(c)))).requests).toBe(0);
    expect((await tallied(() => reader.get(keyOf(b)))).requests).toBe(0);
    expect((await tallied(() => reader.get(keyOf(a)))).requests).toBe(1);
  });

  it('hands out copies: a caller changing an item changes nothing the next caller reads', async () => {
    const reader = cachedCatalogReader(tableCatalogReads, new CatalogItemCache(60_000, 100));
    const assetId = await newAsset('Original');
    const first = await reader.get(keyOf(assetId));
    if (first) first.title = 'Scribbled';
    expect((await reader.get(keyOf(assetId)))?.title).toBe('Original');
  });

  it('batch get reads only the keys it does not hold', async () => {
    const reader = cachedCatalogReader(tableCatalogReads, new CatalogItemCache(60_000, 100));
    const held = await newAsset();
    const fresh = await newAsset();
    await reader.get(keyOf(held));
    const { value, readUnits } = await tallied(() => reader.batchGet([keyOf(held), keyOf(fresh)]));
    expect(value.map((item) => item.assetId).sort()).toEqual([held, fresh].sort());
    expect(readUnits).toBe(0.5);
  });

  it('is the container reader’s: it serves the routes’ reads, and this container’s own catalog writes replace its copy at once', async () => {
    const assetId = await newAsset('Mine');
    const hits = catalogReadCounts.cache.hit;
    expect((await catalogReader.asset(assetId))?.title).toBe('Mine');
    const again = await tallied(() => catalogReader.asset(assetId));
    expect(again.requests).toBe(0);
    expect(catalogReadCounts.cache.hit).toBe(hits + 1);
    // Another container's edit stays unseen within the TTL…
    await retitleElsewhere(assetId, 'Theirs');
    expect((await catalogReader.asset(assetId))?.title).toBe('Mine');
    // …while a write made here is read back at once.
    await putAsset(assetId, { title: 'Mine again', durationSeconds: 600 }, NOW);
    expect((await catalogReader.asset(assetId))?.title).toBe('Mine again');
  });
});

describe('the DAX reader', () => {
  it('falls back to DynamoDB’s answer when the cluster cannot be reached, well before the client gives up', async () => {
    const assetId = await newAsset('From DynamoDB');
    const reader = daxCatalogReader(closedDax, tableCatalogReads, { retryAfterMs: 60_000 });
    const fallbacks = catalogReadCounts.dax.fallback;
    const started = performance.now();
    const item = await reader.get(keyOf(assetId));
    const elapsedMs = performance.now() - started;
    expect(item?.title).toBe('From DynamoDB');
    expect(catalogReadCounts.dax.fallback).toBe(fallbacks + 1);
    // The client alone took 7 s to fail against a closed port; the reader's timeout is 150 ms.
    expect(elapsedMs).toBeLessThan(1_000);
    // Then the container reads DynamoDB directly for a while, without waiting on DAX again.
    expect((await reader.batchGet([keyOf(assetId)])).map((found) => found.assetId)).toEqual([assetId]);
    expect(catalogReadCounts.dax.fallback).toBe(fallbacks + 2);
  });

  it('counts an answer that consumed read units as a miss, and records those units for the request', async () => {
    const assetId = await newAsset();
    const reader = daxCatalogReader(elsewhere, tableCatalogReads);
    const misses = catalogReadCounts.dax.miss;
    const { value, requests, readUnits } = await tallied(() => reader.get(keyOf(assetId)));
    expect(value?.assetId).toBe(assetId);
    expect({ requests, readUnits }).toEqual({ requests: 1, readUnits: 0.5 });
    expect(catalogReadCounts.dax.miss).toBe(misses + 1);
  });

  it('counts an answer the cluster served from its item cache (no units consumed) as a hit', async () => {
    const assetId = await newAsset();
    // DAX leaves ConsumedCapacity out on a cache hit and its client reports 0 units (client-dax src/Assembler.js).
    const fromItemCache = {
      get: async (input: Parameters<typeof elsewhere.get>[0]) => ({ ...(await elsewhere.get(input)), ConsumedCapacity: { TableName: endpoints.tableName, CapacityUnits: 0 }, $metadata: {} }),
      batchGet: (input: Parameters<typeof elsewhere.batchGet>[0]) => elsewhere.batchGet(input),
    };
    const reader = daxCatalogReader(fromItemCache, tableCatalogReads);
    const hits = catalogReadCounts.dax.hit;
    const { value, readUnits } = await tallied(() => reader.get(keyOf(assetId)));
    expect(value?.assetId).toBe(assetId);
    expect(readUnits).toBe(0);
    expect(catalogReadCounts.dax.hit).toBe(hits + 1);
  });
});
