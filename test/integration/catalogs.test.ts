import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { mapConcurrently } from '../../lambdas/shared/concurrency';
import { MAX_BATCH_GET_KEYS, MAX_DIFF_KEYS, MAX_KEYS_PER_CHANGE, MISSING_PAGE_SIZE } from '../../lambdas/catalogs/catalog-limits';
import { call, newUserId, tokenFor } from '../support/api';
import { itemsOfPartition, putItems } from '../support/table';

/**
 * Curated catalogs, their diff and batch get, against the real local engines. The diff tests
 * share one pool of content and one catalog of 5,000 keys, built through the API 100 keys a
 * call, a few calls at once.
 */
const publisher = () => tokenFor('publisher', { scopes: ['catalog:write'] });
const viewer = () => tokenFor(newUserId('viewer'));
const newCatalogId = (label = 'cat') => `${label}-${randomUUID().slice(0, 8)}`;
const partitionOf = (catalogId: string) => `CATALOG#${catalogId}`;

interface Problem {
  type: string;
  status: number;
  errors?: { field: string; message: string }[];
}
interface Diff {
  present: { key: string; updatedAt: string }[];
  missing: { key: string; updatedAt: string }[];
  gone: { key: string; deletedAt?: string }[];
  unchanged: number;
  asOf: string;
  nextCursor?: string;
}
interface Member {
  key: string;
  addedAt: string;
  updatedAt: string;
  deletedAt?: string;
  removedAt?: string;
}
interface Content {
  updatedAt: string;
  deletedAt?: string;
}

function expectProblem(response: Awaited<ReturnType<typeof call>>, status: number, type: string, field?: string) {
  expect(response.status, response.text).toBe(status);
  expect(response.contentType).toBe('application/problem+json');
  const problem = response.json as Problem;
  expect(problem.type).toBe(`urn:playhead:problem:${type}`);
  if (field !== undefined) expect(problem.errors?.map((e) => e.field)).toContain(field);
}

const inParallel = mapConcurrently;

function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function ok(response: Awaited<ReturnType<typeof call>>) {
  if (response.status !== 200) throw new Error(`expected 200, got ${response.status}: ${response.text}`);
  return response.json;
}

async function createCatalog(token: string, catalogId = newCatalogId(), name = 'A catalog'): Promise<string> {
  await ok(await call('PUT', `/v1/catalogs/${catalogId}`, { token, body: { name } }));
  return catalogId;
}

async function putAsset(token: string, id: string, title = 'A title'): Promise<Content> {
  return (await ok(await call('PUT', `/v1/catalog/assets/${id}`, { token, body: { title } }))) as Content;
}

async function putShow(token: string, id: string, title = 'A show'): Promise<Content> {
  return (await ok(await call('PUT', `/v1/catalog/shows/${id}`, { token, body: { title } }))) as Content;
}

async function putEpisode(token: string, showId: string, id: string, title = 'An episode'): Promise<Content> {
  const body = { title, audioUrl: `https://cdn.example/${id}.mp3`, contentType: 'audio/mpeg', durationSeconds: 1800, publishedAt: '2025-01-01T06:00:00Z' };
  return (await ok(await call('PUT', `/v1/catalog/shows/${showId}/episodes/${id}`, { token, body }))) as Content;
}

/** Adds keys 100 a call, six calls at once. */
async function addKeys(token: string, catalogId: string, keys: readonly string[]): Promise<void> {
  await inParallel(batches(keys, MAX_KEYS_PER_CHANGE), 6, async (batch) => {
    await ok(await call('POST', `/v1/catalogs/${catalogId}/keys:add`, { token, body: { keys: batch } }));
  });
}

async function removeKeys(token: string, catalogId: string, keys: readonly string[]): Promise<void> {
  await inParallel(batches(keys, MAX_KEYS_PER_CHANGE), 4, async (batch) => {
    await ok(await call('POST', `/v1/catalogs/${catalogId}/keys:remove`, { token, body: { keys: batch } }));
  });
}

async function diff(token: string, catalogId: string, body: Record<string, unknown>): Promise<Diff> {
  return (await ok(await call('POST', `/v1/catalogs/${catalogId}/diff`, { token, body }))) as Diff;
}

/** Every page of a list route, following its Link header. */
async function allPages<T>(token: string, path: string): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let next: string | undefined = path;
  let pages = 0;
  while (next !== undefined) {
    const response = await call('GET', next, { token });
    items.push(...((await ok(response)) as T[]));
    pages += 1;
    next = /^<([^>]+)>; rel="next"$/.exec(response.headers.get('link') ?? '')?.[1];
  }
  return { items, pages };
}

const byKey = <T extends { key: string }>(list: readonly T[]): T[] => [...list].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
const sortedKeys = (keys: Iterable<string>): string[] => [...keys].sort();

describe('curated catalogs', () => {
  it('creates, reads and replaces a catalog: the name is trimmed, createdAt kept, a description left out removed', async () => {
    const token = await publisher();
    const catalogId = newCatalogId('tv-lineup');
    const created = await call('PUT', `/v1/catalogs/${catalogId}`, { token, body: { name: '  TV line-up  ', description: 'What is on.' } });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({ catalogId, name: 'TV line-up', description: 'What is on.' });
    const read = await call('GET', `/v1/catalogs/${catalogId}`, { token: await viewer() });
    expect(read.json).toEqual(created.json);
    const replaced = (await ok(await call('PUT', `/v1/catalogs/${catalogId}`, { token, body: { name: 'TV line-up (UK)' } }))) as Record<string, unknown>;
    expect(replaced).toMatchObject({ catalogId, name: 'TV line-up (UK)', createdAt: (created.json as Record<string, unknown>).createdAt });
    expect(replaced).not.toHaveProperty('description');
  });

  it('needs catalog:write to create a catalog or change its keys (403), writing nothing; any signed-in user reads', async () => {
    const token = await viewer();
    const catalogId = newCatalogId();
    expectProblem(await call('PUT', `/v1/catalogs/${catalogId}`, { token, body: { name: 'Nope' } }), 403, 'forbidden');
    expectProblem(await call('GET', `/v1/catalogs/${catalogId}`, { token }), 404, 'catalog-not-found');
    expect(await itemsOfPartition(partitionOf(catalogId))).toEqual([]);

    const owner = await publisher();
    await createCatalog(owner, catalogId);
    const asset = randomUUID();
    await putAsset(owner, asset);
    await addKeys(owner, catalogId, [`asset:${asset}`]);
    const before = await itemsOfPartition(partitionOf(catalogId));
    expectProblem(await call('PUT', `/v1/catalogs/${catalogId}`, { token, body: { name: 'Taken over' } }), 403, 'forbidden');
    expectProblem(await call('POST', `/v1/catalogs/${catalogId}/keys:add`, { token, body: { keys: [`show:${randomUUID()}`] } }), 403, 'forbidden');
    expectProblem(await call('POST', `/v1/catalogs/${catalogId}/keys:remove`, { token, body: { keys: [`asset:${asset}`] } }), 403, 'forbidden');
    expect(await itemsOfPartition(partitionOf(catalogId))).toEqual(before);

    expect((await call('GET', `/v1/catalogs/${catalogId}`, { token })).status).toBe(200);
    expect((await call('GET', `/v1/catalogs/${catalogId}/keys`, { token })).json).toHaveLength(1);
    expect((await diff(token, catalogId, { keys: [] })).missing).toEqual([{ key: `asset:${asset}`, updatedAt: expect.any(String) }]);
  });

  it('answers 404 catalog-not-found for an unknown catalog on every catalog route, writing nothing', async () => {
    const token = await publisher();
    const asset = randomUUID();
    await putAsset(token, asset);
    const catalogId = newCatalogId('unknown');
    const keys = [`asset:${asset}`];
    expectProblem(await call('GET', `/v1/catalogs/${catalogId}`, { token }), 404, 'catalog-not-found');
    expectProblem(await call('GET', `/v1/catalogs/${catalogId}/keys`, { token }), 404, 'catalog-not-found');
    expectProblem(await call('POST', `/v1/catalogs/${catalogId}/keys:add`, { token, body: { keys } }), 404, 'catalog-not-found');
    expectProblem(await call('POST', `/v1/catalogs/${catalogId}/keys:remove`, { token, body: { keys } }), 404, 'catalog-not-found');
    expectProblem(await call('POST', `/v1/catalogs/${catalogId}/diff`, { token, body: { keys } }), 404, 'catalog-not-found');
    expect(await itemsOfPartition(partitionOf(catalogId))).toEqual([]);
  });

  it('refuses catalog ids outside [a-z0-9-] or longer than 64, naming path.catalogId', async () => {
    const token = await publisher();
    for (const id of ['TV', '-lead', 'a_b', 'a.b', 'x'.repeat(65), 'caf%C3%A9']) {
      expectProblem(await call('PUT', `/v1/catalogs/${id}`, { token, body: { name: 'A' } }), 400, 'validation-failed', 'path.catalogId');
    }
    expect((await call('PUT', `/v1/catalogs/${'x'.repeat(64)}`, { token, body: { name: 'Longest id' } })).status).toBe(200);
  });

  it('lists catalogs by id, in pages', async () => {
    const token = await publisher();
    const prefix = `list-${randomUUID().slice(0, 8)}`;
    const ids = [`${prefix}-c`, `${prefix}-a`, `${prefix}-b`];
    for (const id of ids) await createCatalog(token, id, `Catalog ${id}`);
    const { items, pages } = await allPages<{ catalogId: string }>(await viewer(), '/v1/catalogs?limit=2');
    const all = items.map((c) => c.catalogId);
    expect(pages).toBeGreaterThan(1);
    expect(all).toEqual([...new Set(all)].sort());
    expect(all.filter((id) => id.startsWith(prefix))).toEqual(ids.sort());
  });

  it('adds, removes and revives keys; both are idempotent and a removed member leaves the holder index', async () => {
    const token = await publisher();
    const catalogId = await createCatalog(token);
    const [asset, show, showOfEpisode, episode] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await putAsset(token, asset);
    await putShow(token, show);
    await putShow(token, showOfEpisode);
    const episodeContent = await putEpisode(token, showOfEpisode, episode);
    const keys = [`asset:${asset}`, `show:${show}`, `episode:${episode}`];
    const sorted = sortedKeys(keys);

    const added = await call('POST', `/v1/catalogs/${catalogId}/keys:add`, { token, body: { keys: [...keys, `asset:${asset.toUpperCase()}`] } });
    expect(added.json).toEqual({ catalogId, added: keys, revived: [], unchanged: [] });
    const first = (await allPages<Member>(token, `/v1/catalogs/${catalogId}/keys`)).items;
    expect(first.map((m) => m.key)).toEqual(sorted);
    expect(first.find((m) => m.key === `episode:${episode}`)?.updatedAt).toBe(episodeContent.updatedAt);

    const before = await itemsOfPartition(partitionOf(catalogId));
    expect((await call('POST', `/v1/catalogs/${catalogId}/keys:add`, { token, body: { keys } })).json).toEqual({ catalogId, added: [], revived: [], unchanged: keys });
    expect(await itemsOfPartition(partitionOf(catalogId))).toEqual(before);

    const never = `show:${randomUUID()}`;
    expect((await call('POST', `/v1/catalogs/${catalogId}/keys:remove`, { token, body: { keys: [`asset:${asset}`, never] } })).json).toEqual({
      catalogId,
      removed: [`asset:${asset}`],
      unchanged: [never],
    });
    const removed = (await allPages<Member>(token, `/v1/catalogs/${catalogId}/keys`)).items.find((m) => m.key === `asset:${asset}`);
    expect(removed?.removedAt).toEqual(expect.any(String));
    const removedItem = (await itemsOfPartition(partitionOf(catalogId))).find((item) => item.key === `asset:${asset}`);
    expect(removedItem).not.toHaveProperty('GSI1PK');
    expect(removedItem?.removedAt).toBe(removed?.removedAt);
    expect((await call('POST', `/v1/catalogs/${catalogId}/keys:remove`, { token, body: { keys: [`asset:${asset}`] } })).json).toEqual({
      catalogId,
      removed: [],
      unchanged: [`asset:${asset}`],
    });
    expect((await itemsOfPartition(partitionOf(catalogId))).find((item) => item.key === `asset:${asset}`)?.removedAt).toBe(removed?.removedAt);

    expect((await call('POST', `/v1/catalogs/${catalogId}/keys:add`, { token, body: { keys: [`asset:${asset}`] } })).json).toEqual({
      catalogId,
      added: [],
      revived: [`asset:${asset}`],
      unchanged: [],
    });
    const revived = (await itemsOfPartition(partitionOf(catalogId))).find((item) => item.key === `asset:${asset}`);
    expect(revived).toMatchObject({ GSI1PK: `HOLDERS#asset:${asset}`, GSI1SK: partitionOf(catalogId) });
    expect(revived).not.toHaveProperty('removedAt');
    expect((await diff(token, catalogId, { keys: [] })).missing.map((m) => m.key)).toEqual(sorted);
  });

  it('keys:add refuses keys that name no content (400 naming body.keys.<i>), malformed keys and more than 100, writing nothing', async () => {
    const token = await publisher();
    const catalogId = await createCatalog(token);
    const asset = randomUUID();
    await putAsset(token, asset);
    const before = await itemsOfPartition(partitionOf(catalogId));
    const route = `/v1/catalogs/${catalogId}/keys:add`;
    expectProblem(await call('POST', route, { token, body: { keys: [`asset:${asset}`, `asset:${randomUUID()}`, `episode:${randomUUID()}`] } }), 400, 'validation-failed', 'body.keys.1');
    expect(((await call('POST', route, { token, body: { keys: [`asset:${asset}`, `show:${asset}`] } })).json as Problem).errors).toEqual([
      { field: 'body.keys.1', message: expect.stringContaining('names no asset, show or episode') },
    ]);
    expectProblem(await call('POST', route, { token, body: { keys: [`asset:${asset}`, 'asset:not-a-uuid'] } }), 400, 'validation-failed', 'body.keys.1');
    expectProblem(await call('POST', route, { token, body: { keys: [asset] } }), 400, 'validation-failed', 'body.keys.0');
    expectProblem(await call('POST', route, { token, body: { keys: [`film:${asset}`] } }), 400, 'validation-failed', 'body.keys.0');
    expectProblem(await call('POST', route, { token, body: { keys: [] } }), 400, 'validation-failed', 'body.keys');
    expectProblem(await call('POST', route, { token, body: { keys: Array.from({ length: MAX_KEYS_PER_CHANGE + 1 }, () => `asset:${randomUUID()}`) } }), 400, 'validation-failed', 'body.keys');
    expectProblem(await call('POST', `/v1/catalogs/${catalogId}/keys:remove`, { token, body: { keys: [42] } }), 400, 'validation-failed', 'body.keys.0');
    expect(await itemsOfPartition(partitionOf(catalogId))).toEqual(before);
  });

  it('lists members in pages by key, removed ones with removedAt and deleted content with deletedAt', async () => {
    const token = await publisher();
    const catalogId = await createCatalog(token);
    const assets = Array.from({ length: 5 }, () => randomUUID());
    await inParallel(assets, 5, (id) => putAsset(token, id));
    const deleted = (await ok(await call('DELETE', `/v1/catalog/assets/${assets[0]}`, { token }))) as Content;
    await addKeys(
      token,
      catalogId,
      assets.map((id) => `asset:${id}`),
    );
    await removeKeys(token, catalogId, [`asset:${assets[1]}`]);
    const { items, pages } = await allPages<Member>(await viewer(), `/v1/catalogs/${catalogId}/keys?limit=2`);
    expect(pages).toBe(3);
    expect(items.map((m) => m.key)).toEqual(sortedKeys(assets.map((id) => `asset:${id}`)));
    expect(items.find((m) => m.key === `asset:${assets[0]}`)).toMatchObject({ deletedAt: deleted.deletedAt, updatedAt: deleted.updatedAt });
    expect(items.find((m) => m.key === `asset:${assets[1]}`)?.removedAt).toEqual(expect.any(String));
    expect(items.filter((m) => m.removedAt === undefined && m.deletedAt === undefined)).toHaveLength(3);
  });
});

describe('batch get', () => {
  it('answers the metadata of the keys asked, in order: found (deleted ones with deletedAt) and notFound', async () => {
    const token = await publisher();
    const [asset, deletedAsset, show, episode] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await putAsset(token, asset, 'Heat');
    await putAsset(token, deletedAsset, 'Gone');
    await call('DELETE', `/v1/catalog/assets/${deletedAsset}`, { token });
    await putShow(token, show, 'The Daily');
    await putEpisode(token, show, episode, 'Monday');
    const unknown = `show:${randomUUID()}`;
    const reader = await viewer();
    const response = await call('POST', '/v1/catalog/items:batchGet', {
      token: reader,
      body: { keys: [`episode:${episode}`, unknown, `asset:${asset.toUpperCase()}`, `asset:${deletedAsset}`, `show:${show}`, `asset:${asset}`] },
    });
    expect(response.status).toBe(200);
    const own = async (path: string) => (await call('GET', path, { token: reader })).json;
    expect(response.json).toEqual({
      items: [
        { key: `episode:${episode}`, item: await own(`/v1/catalog/shows/${show}/episodes/${episode}`) },
        { key: `asset:${asset}`, item: await own(`/v1/catalog/assets/${asset}`) },
        { key: `asset:${deletedAsset}`, item: expect.objectContaining({ deletedAt: expect.any(String), title: 'Gone' }) },
        { key: `show:${show}`, item: await own(`/v1/catalog/shows/${show}`) },
      ],
      notFound: [unknown],
    });
  });

  it('refuses more than 100 keys (body.keys), none, and malformed keys (body.keys.<i>)', async () => {
    const token = await viewer();
    const keys = Array.from({ length: MAX_BATCH_GET_KEYS + 1 }, () => `asset:${randomUUID()}`);
    expectProblem(await call('POST', '/v1/catalog/items:batchGet', { token, body: { keys } }), 400, 'validation-failed', 'body.keys');
    expect((await call('POST', '/v1/catalog/items:batchGet', { token, body: { keys: keys.slice(0, MAX_BATCH_GET_KEYS) } })).json).toMatchObject({ items: [] });
    expectProblem(await call('POST', '/v1/catalog/items:batchGet', { token, body: { keys: [] } }), 400, 'validation-failed', 'body.keys');
    expectProblem(await call('POST', '/v1/catalog/items:batchGet', { token, body: { keys: [keys[0], 'asset:1', null] } }), 400, 'validation-failed', 'body.keys.1');
    expect(((await call('POST', '/v1/catalog/items:batchGet', { token, body: { keys: [keys[0], 'asset:1', null] } })).json as Problem).errors?.map((e) => e.field)).toEqual([
      'body.keys.1',
      'body.keys.2',
    ]);
  });
});

describe('catalog diff', () => {
  /**
   * The shared pool of content: 5,450 assets written straight into the table (through the API
   * 6,000 took 21 s: DynamoDB Local's writes are the bottleneck), 30 shows and 30 episodes
   * through the API. `content` holds each item's `updatedAt` / `deletedAt` as stored.
   */
  const assets = Array.from({ length: 5450 }, () => randomUUID());
  const shows = Array.from({ length: 30 }, () => randomUUID());
  const episodes = Array.from({ length: 30 }, () => randomUUID());
  const content = new Map<string, Content>();
  const a = (i: number) => `asset:${assets[i]}`;
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
  const showKeys = shows.map((id) => `show:${id}`);
  const episodeKeys = episodes.map((id) => `episode:${id}`);
  let token: string;
  /**
   * The 5,000-key catalog: A[0..4939], the shows and the episodes. Before they joined it,
   * A[0..49] were deleted and A[50..99] edited; after, A[100..199] were removed and A[100..124]
   * added again.
   */
  let big: string;
  let removedBetween: [string, string];

  beforeAll(async () => {
    token = await publisher();
    const started = performance.now();
    const base = Date.now() - 3_600_000;
    await putItems(
      assets.map((assetId, i) => {
        const at = new Date(base + i * 10).toISOString();
        content.set(`asset:${assetId}`, { updatedAt: at });
        return { PK: `ASSET#${assetId}`, SK: 'ASSET', entity: 'asset', assetId, title: `Title ${i}`, createdAt: at, updatedAt: at };
      }),
    );
    await inParallel(shows, 8, async (id) => content.set(`show:${id}`, await putShow(token, id)));
    await inParallel(episodes, 8, async (id, i) => content.set(`episode:${id}`, await putEpisode(token, shows[i % 3] as string, id)));
    await inParallel(range(0, 50), 8, async (i) => content.set(a(i), (await ok(await call('DELETE', `/v1/catalog/assets/${assets[i]}`, { token }))) as Content));
    await inParallel(range(50, 100), 8, async (i) => content.set(a(i), await putAsset(token, assets[i] as string, 'Renamed')));
    const made = performance.now();

    big = await createCatalog(token, newCatalogId('big'));
    await addKeys(token, big, [...range(0, 4940).map(a), ...showKeys, ...episodeKeys]);
    const built = performance.now();
    const removeStarted = new Date().toISOString();
    await removeKeys(token, big, range(100, 200).map(a));
    removedBetween = [removeStarted, new Date().toISOString()];
    await addKeys(token, big, range(100, 125).map(a));
    console.info(`pool of ${content.size} items made in ${Math.round(made - started)} ms; 5,000 keys added through the API in ${Math.round(built - made)} ms`);
    // Thousands of writes through the API: about 20 s alone, a minute or more beside the rest of the suite on two cores.
  }, 180_000);

  it('answers exact buckets for a catalog of 5,000 keys: present, missing, gone (never in, removed, deleted), with repeats and any letter case', async () => {
    const neverIn = [...Array.from({ length: 100 }, () => `asset:${randomUUID()}`), ...Array.from({ length: 100 }, () => `show:${randomUUID()}`), ...range(5000, 5100).map(a)];
    const sent = [
      ...range(0, 3000).map(a),
      ...showKeys.slice(0, 20),
      ...episodeKeys.slice(0, 20),
      ...neverIn,
      // Repeats, with the ids in upper case.
      ...range(50, 100).map((i) => `asset:${(assets[i] as string).toUpperCase()}`),
      ...range(0, 50).map(a),
    ];
    const started = performance.now();
    const result = await diff(await viewer(), big, { keys: sent });
    const took = performance.now() - started;

    const live = (key: string) => ({ key, updatedAt: (content.get(key) as Content).updatedAt });
    expect(result.present).toEqual(byKey([...range(50, 125), ...range(200, 3000)].map(a).concat(showKeys.slice(0, 20), episodeKeys.slice(0, 20)).map(live)));
    expect(result.missing).toEqual(byKey(range(3000, 4940).map(a).concat(showKeys.slice(20), episodeKeys.slice(20)).map(live)));
    const removed = result.gone.filter((g) => range(125, 200).map(a).includes(g.key));
    expect(removed).toHaveLength(75);
    for (const g of removed) {
      const deletedAt = g.deletedAt ?? '';
      expect(deletedAt >= removedBetween[0] && deletedAt <= removedBetween[1], `${g.deletedAt} within ${removedBetween.join(' – ')}`).toBe(true);
    }
    expect(result.gone).toEqual(byKey([...range(0, 50).map((i) => ({ key: a(i), deletedAt: (content.get(a(i)) as Content).deletedAt })), ...removed, ...neverIn.map((key) => ({ key }))]));
    expect(result.unchanged).toBe(0);
    expect(result.nextCursor).toBeUndefined();
    expect(result.present.length + result.missing.length).toBe(5000 - 50 - 75);
    console.info(`diff of ${sent.length} keys against 5,000 members: ${Math.round(took)} ms`);
  });

  it('with since, lists only keys changed (or added) after it and counts the rest as unchanged; asOf lies one minute before the read', async () => {
    const reader = await viewer();
    const before = Date.now();
    const first = await diff(reader, big, { keys: [] });
    const asOf = Date.parse(first.asOf);
    expect(asOf).toBeGreaterThanOrEqual(before - 60_000);
    expect(asOf).toBeLessThanOrEqual(Date.now() - 60_000);

    await new Promise((resolve) => setTimeout(resolve, 5));
    const since = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    // Content edited after `since`, then added; and content older than `since`, added after it.
    await inParallel(range(5100, 5150), 8, async (i) => content.set(a(i), await putAsset(token, assets[i] as string, 'Edited')));
    await addKeys(token, big, [...range(5100, 5150), ...range(4940, 4990)].map(a));

    const sent = [...range(400, 3000), ...range(5100, 5150), ...range(4940, 4990), ...range(0, 10)].map(a);
    const result = await diff(reader, big, { keys: sent, since });
    expect(result.present.map((p) => p.key)).toEqual(sortedKeys([...range(5100, 5150), ...range(4940, 4990)].map(a)));
    expect(result.present.find((p) => p.key === a(5100))?.updatedAt).toBe((content.get(a(5100)) as Content).updatedAt);
    expect(result.unchanged).toBe(2600);
    expect(result.gone.map((g) => g.key)).toEqual(sortedKeys(range(0, 10).map(a)));
    expect(result.missing).toHaveLength(5000 - 50 - 75 + 100 - 2700);

    // Without since every present key is listed.
    const full = await diff(reader, big, { keys: sent });
    expect(full.present).toHaveLength(2700);
    expect(full.unchanged).toBe(0);
  });

  it('pages the missing bucket: with 5,275 live members and nothing sent, 5,000 and then the rest; present and gone are answered on every page', async () => {
    await addKeys(token, big, range(5150, 5450).map(a));
    const reader = await viewer();
    const live = [...range(50, 125), ...range(200, 4990), ...range(5100, 5450)].map(a).concat(showKeys, episodeKeys).sort();
    expect(live).toHaveLength(5275);

    const first = await diff(reader, big, { keys: [] });
    expect(first.missing).toHaveLength(MISSING_PAGE_SIZE);
    expect(first.missing.map((m) => m.key)).toEqual(live.slice(0, MISSING_PAGE_SIZE));
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await diff(reader, big, { keys: [], cursor: first.nextCursor });
    expect(second.missing.map((m) => m.key)).toEqual(live.slice(MISSING_PAGE_SIZE));
    expect(second.nextCursor).toBeUndefined();

    const sent = [live[0] as string, live[MISSING_PAGE_SIZE + 10] as string, a(0), `episode:${randomUUID()}`];
    const withKeys = await diff(reader, big, { keys: sent, cursor: first.nextCursor });
    expect(withKeys.present.map((p) => p.key)).toEqual(sortedKeys(sent.slice(0, 2)));
    expect(withKeys.gone.map((g) => g.key)).toEqual(sortedKeys(sent.slice(2)));
    expect(withKeys.missing.map((m) => m.key)).toEqual(live.slice(MISSING_PAGE_SIZE).filter((key) => key !== sent[1]));
  });

  it('refuses 10,001 keys, malformed keys, a forged cursor and a bad since with a 400 naming the field; an unknown catalog is a 404', async () => {
    const reader = await viewer();
    const route = `/v1/catalogs/${big}/diff`;
    const before = await itemsOfPartition(partitionOf(big));
    const tooMany = Array.from({ length: MAX_DIFF_KEYS + 1 }, (_, i) => a(i % assets.length));
    const refused = await call('POST', route, { token: reader, body: { keys: tooMany } });
    expectProblem(refused, 400, 'validation-failed', 'body.keys');
    expect((refused.json as Problem).errors).toHaveLength(1);
    expect((await call('POST', route, { token: reader, body: { keys: tooMany.slice(0, MAX_DIFF_KEYS) } })).status).toBe(200);

    const malformed = await call('POST', route, { token: reader, body: { keys: [a(1), 'asset:x', a(2), 7, ...Array.from({ length: 100 }, () => 'bad')] } });
    expectProblem(malformed, 400, 'validation-failed', 'body.keys.1');
    expect((malformed.json as Problem).errors?.map((e) => e.field).slice(0, 3)).toEqual(['body.keys.1', 'body.keys.3', 'body.keys.4']);
    expect((malformed.json as Problem).errors).toHaveLength(20);

    for (const cursor of ['garbage', Buffer.from('{"after":"KEY#x"}').toString('base64url'), Buffer.from(`{"after":"asset:${(assets[1] as string).toUpperCase()}"}`).toString('base64url')]) {
      expectProblem(await call('POST', route, { token: reader, body: { keys: [], cursor } }), 400, 'validation-failed', 'body.cursor');
    }
    expectProblem(await call('POST', route, { token: reader, body: { keys: [], since: 'yesterday' } }), 400, 'validation-failed', 'body.since');
    expectProblem(await call('POST', route, { token: reader, body: { keys: 'asset:1' } }), 400, 'validation-failed', 'body.keys');
    expectProblem(await call('POST', `/v1/catalogs/${newCatalogId('nope')}/diff`, { token: reader, body: { keys: [a(1)] } }), 404, 'catalog-not-found');
    expect(await itemsOfPartition(partitionOf(big))).toEqual(before);
  });

  /**
   * Content edited or deleted after it joined the catalog reaches the members through
   * lambdas/propagation; this waits for it (up to 15 s).
   */
  it('reflects content edited or deleted after it joined the catalog, and lists the edits after since', async () => {
    const reader = await viewer();
    const since = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const edited = range(400, 450);
    const deleted = range(450, 500);
    await inParallel(edited, 8, async (i) => content.set(a(i), await putAsset(token, assets[i] as string, 'Edited in place')));
    await inParallel(deleted, 8, async (i) => content.set(a(i), (await ok(await call('DELETE', `/v1/catalog/assets/${assets[i]}`, { token }))) as Content));

    const sent = range(400, 1000).map(a);
    const expected = {
      present: byKey(edited.map((i) => ({ key: a(i), updatedAt: (content.get(a(i)) as Content).updatedAt }))),
      gone: byKey(deleted.map((i) => ({ key: a(i), deletedAt: (content.get(a(i)) as Content).deletedAt }))),
      unchanged: 500,
    };
    const deadline = Date.now() + 15_000;
    let result: Diff;
    for (;;) {
      result = await diff(reader, big, { keys: sent, since });
      const seen = { present: result.present, gone: result.gone, unchanged: result.unchanged };
      if (JSON.stringify(seen) === JSON.stringify(expected) || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect({ present: result.present, gone: result.gone, unchanged: result.unchanged }).toEqual(expected);
  });
});
