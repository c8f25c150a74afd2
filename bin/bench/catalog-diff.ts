/**
 * The catalog diff of `npm run bench` (issue 5): a partner mirroring a curated catalog of
 * 10,000 keys, the full download against a diff with and without `since`. The catalog is set
 * up before the podcast measurements and diffed after them, so a diff's minute of overlap has
 * passed by then.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DIFF_SINCE_OVERLAP_MS } from '../../lambdas/catalogs/catalog-limits';
import { mapConcurrently } from '../../lambdas/shared/concurrency';
import type { Endpoints } from '../../local/stack';
import { type Call, FILL_CONCURRENCY } from './context';
import { formatUnits as units } from './format';
import { sleep } from './support';

const WAIT_LIMIT_MS = 90_000;

/** What the diff needs of the run: the podcast context satisfies it. */
export interface DiffContext {
  expectStatus(status: number, method: string, route: string, token: string | undefined, body?: unknown): Promise<Call>;
  capture: { take(): Array<{ dynamoReadUnits: number }> };
  publisher: string;
  newListener(): Promise<string>;
  endpoints: Endpoints;
  note(line: string): void;
}

type BenchCall = Call;

const inParallel = async <T>(items: readonly T[], work: (item: T, index: number) => Promise<unknown>): Promise<void> => {
  await mapConcurrently(items, FILL_CONCURRENCY, work);
};

export interface TransferFigure {
  requests: number;
  bytes: number;
  readUnits: number;
  ms: number;
}

export interface DiffFigures {
  catalogKeys: number;
  edited: number;
  deleted: number;
  added: number;
  full: TransferFigure;
  diff: TransferFigure;
  diffSince: TransferFigure;
  refetch: TransferFigure;
}

/** A catalog this big is diffed… */
export const DIFF_CATALOG_KEYS = 10_000;
/** …after this many of its items were edited, this many deleted and this many added. */
const DIFF_EDITED = 100;
const DIFF_DELETED = 50;
const DIFF_ADDED = 50;

/**
 * Issue 5's catalog comparison: a partner mirroring a curated catalog of 10,000 keys. The full
 * download (list the keys, batch-get every item) against a diff of all 10,000 held keys, with
 * and without `since`, after 1 % of the catalog changed.
 */
export interface DiffCatalog {
  catalogId: string;
  assets: string[];
  /** When the last key was added: a diff's `asOf` keeps a minute of overlap before its read. */
  addedAt: number;
}

export async function setUpDiffCatalog(context: DiffContext): Promise<DiffCatalog> {
  const { expectStatus, publisher } = context;
  context.note(`podcasts: a catalog of ${DIFF_CATALOG_KEYS} keys, full download against diff`);
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: context.endpoints.dynamodb, region: context.endpoints.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  );
  // The items themselves are set-up, written straight into the table in the shape the asset store writes,
  // as last edited two hours ago: a mirror's refresh comes long after the items last changed, and
  // a diff's `asOf` keeps a minute of overlap, which would otherwise cover all of them.
  const now = new Date(Date.now() - 2 * 3600 * 1000).toISOString();
  const assets = Array.from({ length: DIFF_CATALOG_KEYS + DIFF_ADDED }, () => randomUUID());
  const items = assets.map((assetId, i) => ({
    PK: `ASSET#${assetId}`,
    SK: 'ASSET',
    entity: 'asset',
    assetId,
    title: `Lineup title ${i} — ${assetId.slice(0, 8)}`,
    durationSeconds: 1800 + i,
    regions: ['GB', 'IE'],
    createdAt: now,
    updatedAt: now,
  }));
  const chunks = Array.from({ length: Math.ceil(items.length / 25) }, (_, i) => items.slice(i * 25, i * 25 + 25));
  await inParallel(chunks, async (chunk) => {
    let requests: Record<string, Array<{ PutRequest: { Item: Record<string, unknown> } }>> | undefined = {
      [context.endpoints.tableName]: chunk.map((Item) => ({ PutRequest: { Item } })),
    };
    while (requests !== undefined && Object.keys(requests).length > 0) {
      const output = await client.send(new BatchWriteCommand({ RequestItems: requests }));
      requests = output.UnprocessedItems as typeof requests;
    }
  });
  client.destroy();

  const catalogId = `bench-lineup-${randomUUID().slice(0, 8)}`;
  await expectStatus(200, 'PUT', `/v1/catalogs/${catalogId}`, publisher, { name: 'Bench lineup' });
  const keys = assets.slice(0, DIFF_CATALOG_KEYS).map((id) => `asset:${id}`);
  const batches = Array.from({ length: DIFF_CATALOG_KEYS / 100 }, (_, i) => keys.slice(i * 100, i * 100 + 100));
  await inParallel(batches, (batch) => expectStatus(200, 'POST', `/v1/catalogs/${catalogId}/keys:add`, publisher, { keys: batch }));

  return { catalogId, assets, addedAt: Date.now() };
}

export async function measureCatalogDiff(context: DiffContext, { catalogId, assets, addedAt }: DiffCatalog): Promise<DiffFigures> {
  const { expectStatus, publisher } = context;
  const reader = await context.newListener();
  /** Requests one after another, as a client makes them: their bytes, read units and wall time. */
  async function transfer(next: (previous: BenchCall | undefined) => { method: string; route: string; body?: unknown } | undefined): Promise<{ figure: TransferFigure; calls: BenchCall[] }> {
    context.capture.take();
    const calls: BenchCall[] = [];
    const started = performance.now();
    for (let request = next(undefined); request !== undefined; request = next(calls.at(-1))) {
      calls.push(await expectStatus(200, request.method, request.route, reader, request.body));
    }
    const ms = performance.now() - started;
    const logs = context.capture.take();
    return {
      figure: { requests: calls.length, bytes: calls.reduce((n, c) => n + Buffer.byteLength(c.text), 0), readUnits: logs.reduce((n, l) => n + l.dynamoReadUnits, 0), ms },
      calls,
    };
  }
  const nextPage = (call: BenchCall | undefined) => /<([^>]+)>; rel="next"/.exec(call?.link ?? '')?.[1];
  const sum = (a: TransferFigure, b: TransferFigure): TransferFigure => ({ requests: a.requests + b.requests, bytes: a.bytes + b.bytes, readUnits: a.readUnits + b.readUnits, ms: a.ms + b.ms });
  const batchGetAll = async (wanted: readonly string[]) => {
    let index = 0;
    return transfer(() => {
      const chunk = wanted.slice(index, index + 100);
      index += 100;
      return chunk.length === 0 ? undefined : { method: 'POST', route: '/v1/catalog/items:batchGet', body: { keys: chunk } };
    });
  };

  // The full download: every key (pages of 1,000), then every item (100 a call).
  let first = true;
  const listing = await transfer((previous) => {
    if (first) {
      first = false;
      return { method: 'GET', route: `/v1/catalogs/${catalogId}/keys?limit=1000` };
    }
    const route = nextPage(previous);
    return route === undefined ? undefined : { method: 'GET', route };
  });
  const held = listing.calls.flatMap((c) => (JSON.parse(c.text) as Array<{ key: string }>).map((m) => m.key));
  if (held.length !== DIFF_CATALOG_KEYS) throw new Error(`listed ${held.length} keys, expected ${DIFF_CATALOG_KEYS}`);
  const fetched = await batchGetAll(held);
  const full = sum(listing.figure, fetched.figure);

  // A diff after the download gives the mirror its `asOf`. It is taken more than a minute after the
  // catalog was filled (the rest of the bench runs meanwhile), as a mirror's refresh comes long after.
  await sleep(Math.max(0, addedAt + DIFF_SINCE_OVERLAP_MS + 1000 - Date.now()));
  const baseline = JSON.parse((await expectStatus(200, 'POST', `/v1/catalogs/${catalogId}/diff`, reader, { keys: held })).text) as { asOf: string };

  // 1 % of the catalog changes: edits, deletions, additions.
  for (const assetId of assets.slice(0, DIFF_EDITED)) {
    await expectStatus(200, 'PUT', `/v1/catalog/assets/${assetId}`, publisher, { title: `Retitled ${assetId.slice(0, 8)}`, durationSeconds: 1200 });
  }
  for (const assetId of assets.slice(DIFF_EDITED, DIFF_EDITED + DIFF_DELETED)) await expectStatus(200, 'DELETE', `/v1/catalog/assets/${assetId}`, publisher);
  await expectStatus(200, 'POST', `/v1/catalogs/${catalogId}/keys:add`, publisher, { keys: assets.slice(DIFF_CATALOG_KEYS).map((id) => `asset:${id}`) });
  // The edits reach the members through the propagation worker; wait until every one has.
  const deadline = Date.now() + WAIT_LIMIT_MS;
  for (;;) {
    const probe = JSON.parse((await expectStatus(200, 'POST', `/v1/catalogs/${catalogId}/diff`, reader, { keys: held, since: baseline.asOf })).text) as { present: unknown[]; gone: unknown[] };
    if ((probe.present.length >= DIFF_EDITED && probe.gone.length >= DIFF_DELETED) || Date.now() > deadline) break;
    await sleep(200);
  }

  const diff = await transfer((previous) => (previous ? undefined : { method: 'POST', route: `/v1/catalogs/${catalogId}/diff`, body: { keys: held } }));
  const since = await transfer((previous) => (previous ? undefined : { method: 'POST', route: `/v1/catalogs/${catalogId}/diff`, body: { keys: held, since: baseline.asOf } }));
  const answer = JSON.parse(since.calls[0]?.text ?? '{}') as { present: Array<{ key: string }>; missing: Array<{ key: string }> };
  const refetch = await batchGetAll([...answer.present, ...answer.missing].map((m) => m.key));
  return { catalogKeys: DIFF_CATALOG_KEYS, edited: DIFF_EDITED, deleted: DIFF_DELETED, added: DIFF_ADDED, full, diff: diff.figure, diffSince: since.figure, refetch: refetch.figure };
}

export function renderCatalogDiff(d: DiffFigures): string {
  const share = (part: TransferFigure) => `${((part.bytes / d.full.bytes) * 100).toFixed(1)} %`;
  const transferRow = (label: string, t: TransferFigure) =>
    `| ${label} | ${t.requests} | ${(t.bytes / 1024).toFixed(1)} KB | ${share(t)} | ${units(t.readUnits)} | ${t.ms.toFixed(0)} ms |`;
  const refresh: TransferFigure = { requests: d.diffSince.requests + d.refetch.requests, bytes: d.diffSince.bytes + d.refetch.bytes, readUnits: d.diffSince.readUnits + d.refetch.readUnits, ms: d.diffSince.ms + d.refetch.ms };
  return `### Catalog diff against full download: ${d.catalogKeys.toLocaleString('en-US')} keys

A partner mirrors a curated catalog of ${d.catalogKeys.toLocaleString('en-US')} assets. Full download: list the keys (pages of 1,000) and batch-get every
item (100 a call). Then ${d.edited} items are edited, ${d.deleted} deleted and ${d.added} added (2 % of the catalog), and the partner diffs the
${d.catalogKeys.toLocaleString('en-US')} keys it holds (\`POST /v1/catalogs/{id}/diff\`, about ${Math.round(d.catalogKeys * 50 / 1024)} KB of request body, not counted below), without and with \`since\`
(the \`asOf\` of its previous diff). Bytes are response bodies; latency is the client's, requests one after another.

| fetch | requests | bytes | share of full | RCU | time |
|---|---:|---:|---:|---:|---:|
${transferRow('full download (keys + batch get)', d.full)}
${transferRow('diff of all held keys', d.diff)}
${transferRow('diff with `since`', d.diffSince)}
${transferRow('… plus batch get of the changed and new items', refresh)}

Target: a diff under 10 % of the bytes of the full download. With \`since\` (the routine refresh): ${(d.diffSince.bytes / d.full.bytes) < 0.1 ? '✅ met' : '❌ not met'}
(${share(d.diffSince)}; ${share(refresh)} including fetching what changed). A diff without \`since\` must list every held key with its
\`updatedAt\` (${share(d.diff)}): the issue's \`present\` bucket as specified, useful for a first check of a mirror of unknown age.
A diff costs the same read units whatever is sent: one eventually consistent query of the catalog's partition.`;
}
