/**
 * The podcast figures of `npm run bench` (issue 5): what `POST /v1/episodes/fetch` costs for
 * a listener following 20 shows, and what one episode edit costs to reach 2,000 queues.
 * Runs against the local stack that bin/bench.ts started; every figure is read from the
 * handlers' own log lines (request units DynamoDB reported) or timed at the client.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DIFF_SINCE_OVERLAP_MS } from '../lambdas/catalogs/catalog-limits';
import { mapConcurrently } from '../lambdas/shared/concurrency';
import type { Endpoints } from '../local/stack';
import { drainStream, QUIET_MS, sleep } from './bench-support';

/** A listener following this many shows… */
export const FETCH_SHOWS = 20;
/** …asks for this many new episodes per show. */
export const FETCH_PER_SHOW = 5;
/** Episodes each show has published (more than one fetch takes). */
const EPISODES_PER_SHOW = 10;
/** Fresh listeners measured; the figures are medians. */
const FETCH_RUNS = 5;
/** Queues holding the episode that is then edited. */
export const HOLDERS = 2000;
const FILL_CONCURRENCY = 16;
const WAIT_LIMIT_MS = 90_000;

export interface BenchCall {
  status: number;
  text: string;
  elapsedMs: number;
  link?: string | undefined;
}

interface UnitsLog {
  dynamoReadUnits: number;
  dynamoWriteUnits: number;
}

export interface PodcastContext {
  expectStatus(status: number, method: string, route: string, token: string | undefined, body?: unknown): Promise<BenchCall>;
  capture: {
    take(): Array<UnitsLog & { durationMs: number; dynamoRequests: number }>;
    takeBatches(): Array<UnitsLog & { records: number; feedEntries: number }>;
    takeWorkerBatches(): Array<UnitsLog & { messages: number; failed: number }>;
  };
  publisher: string;
  newListener(): Promise<string>;
  endpoints: Endpoints;
  note(line: string): void;
}

export interface RequestFigure {
  ms: number;
  readUnits: number;
  writeUnits: number;
  requests: number;
  bytes: number;
}

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

export interface PodcastFigures {
  diff: DiffFigures;
  fetch: { first: RequestFigure[]; again: RequestFigure[]; added: number };
  propagation: {
    edit: RequestFigure;
    copiesMs: number;
    feedMs: number;
    worker: { messages: number; readUnits: number; writeUnits: number; failed: number };
    router: { batches: number; feedEntries: number; readUnits: number; writeUnits: number };
    refreshed: number;
  };
}

const inParallel = async <T>(items: readonly T[], work: (item: T, index: number) => Promise<unknown>): Promise<void> => {
  await mapConcurrently(items, FILL_CONCURRENCY, work);
};

const episodeBody = (episodeId: string, minutesAgo: number, title = `Bench episode ${episodeId.slice(0, 8)}`) => ({
  title,
  audioUrl: `https://cdn.example.org/audio/${episodeId}.mp3`,
  contentType: 'audio/mpeg',
  durationSeconds: 1800,
  publishedAt: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
});

async function measured(context: PodcastContext, method: string, route: string, token: string, body?: unknown): Promise<RequestFigure> {
  context.capture.take();
  const call = await context.expectStatus(200, method, route, token, body);
  const [log] = context.capture.take();
  if (log === undefined) throw new Error(`no request log for ${method} ${route}`);
  return { ms: call.elapsedMs, readUnits: log.dynamoReadUnits, writeUnits: log.dynamoWriteUnits, requests: log.dynamoRequests, bytes: Buffer.byteLength(call.text) };
}

export async function measurePodcasts(context: PodcastContext): Promise<PodcastFigures> {
  const { expectStatus, publisher } = context;
  const catalog = await setUpDiffCatalog(context);
  context.note(`podcasts: ${FETCH_SHOWS} shows × ${EPISODES_PER_SHOW} episodes, fetch ${FETCH_PER_SHOW} per show × ${FETCH_RUNS} listeners`);
  const shows = Array.from({ length: FETCH_SHOWS }, () => randomUUID());
  await inParallel(shows, (showId) => expectStatus(200, 'PUT', `/v1/catalog/shows/${showId}`, publisher, { title: `Bench show ${showId.slice(0, 8)}` }));
  const episodes = shows.flatMap((showId) => Array.from({ length: EPISODES_PER_SHOW }, (_, i) => ({ showId, episodeId: randomUUID(), minutesAgo: i + 1 })));
  await inParallel(episodes, (e) => expectStatus(200, 'PUT', `/v1/catalog/shows/${e.showId}/episodes/${e.episodeId}`, publisher, episodeBody(e.episodeId, e.minutesAgo)));

  const first: RequestFigure[] = [];
  const again: RequestFigure[] = [];
  let added = 0;
  for (let run = 0; run < FETCH_RUNS; run++) {
    const listener = await context.newListener();
    for (const showId of shows) await expectStatus(200, 'PUT', `/v1/favourites/${showId}`, listener);
    const figure = await measured(context, 'POST', '/v1/episodes/fetch', listener, { perShow: FETCH_PER_SHOW });
    added = (JSON.parse((await context.expectStatus(200, 'GET', '/v1/queue?limit=1000', listener)).text) as unknown[]).length;
    first.push(figure);
    again.push(await measured(context, 'POST', '/v1/episodes/fetch', listener, { perShow: FETCH_PER_SHOW }));
  }
  if (added !== FETCH_SHOWS * FETCH_PER_SHOW) throw new Error(`a fetch queued ${added} episodes, expected ${FETCH_SHOWS * FETCH_PER_SHOW}`);

  context.note(`podcasts: one episode edit reaching ${HOLDERS} queues`);
  // An episode of its own, so that only the holders set up here hold it.
  const [showId] = shows as [string];
  const episodeId = randomUUID();
  await expectStatus(200, 'PUT', `/v1/catalog/shows/${showId}/episodes/${episodeId}`, publisher, episodeBody(episodeId, 30));
  const holders = await Promise.all(Array.from({ length: HOLDERS }, () => context.newListener()));
  await inParallel(holders, (token) => expectStatus(200, 'PUT', `/v1/queue/${episodeId}`, token));
  await drainStream(context.capture);
  context.capture.takeWorkerBatches();

  const started = performance.now();
  const edit = await measured(context, 'PUT', `/v1/catalog/shows/${showId}/episodes/${episodeId}`, publisher, episodeBody(episodeId, 1, 'Corrected title'));
  const { updatedAt } = JSON.parse((await expectStatus(200, 'GET', `/v1/catalog/shows/${showId}/episodes/${episodeId}`, publisher)).text) as { updatedAt: string };
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: context.endpoints.dynamodb, region: context.endpoints.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  );
  let refreshed = 0;
  const deadline = Date.now() + WAIT_LIMIT_MS;
  while (refreshed < HOLDERS && Date.now() < deadline) {
    await sleep(100);
    refreshed = await countRefreshed(client, context.endpoints.tableName, `HOLDERS#episode:${episodeId}`, updatedAt);
  }
  const copiesMs = performance.now() - started;
  const batches = await drainStream(context.capture);
  const feedMs = performance.now() - started - QUIET_MS;
  client.destroy();
  const workerBatches = context.capture.takeWorkerBatches();
  const sum = <T>(items: readonly T[], of: (item: T) => number) => items.reduce((total, item) => total + of(item), 0);
  const diff = await measureCatalogDiff(context, catalog);
  return {
    diff,
    fetch: { first, again, added },
    propagation: {
      edit,
      copiesMs,
      feedMs,
      refreshed,
      worker: {
        messages: sum(workerBatches, (b) => b.messages),
        failed: sum(workerBatches, (b) => b.failed),
        readUnits: sum(workerBatches, (b) => b.dynamoReadUnits),
        writeUnits: sum(workerBatches, (b) => b.dynamoWriteUnits),
      },
      router: {
        batches: batches.length,
        feedEntries: sum(batches, (b) => b.feedEntries),
        readUnits: sum(batches, (b) => b.dynamoReadUnits),
        writeUnits: sum(batches, (b) => b.dynamoWriteUnits),
      },
    },
  };
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

export async function setUpDiffCatalog(context: PodcastContext): Promise<DiffCatalog> {
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

export async function measureCatalogDiff(context: PodcastContext, { catalogId, assets, addedAt }: DiffCatalog): Promise<DiffFigures> {
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

async function countRefreshed(client: DynamoDBDocumentClient, tableName: string, partition: string, updatedAt: string): Promise<number> {
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const output = await client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk',
        FilterExpression: 'contentUpdatedAt = :u',
        ExpressionAttributeValues: { ':pk': partition, ':u': updatedAt },
        Select: 'COUNT',
        ExclusiveStartKey: startKey,
      }),
    );
    count += output.Count ?? 0;
    startKey = output.LastEvaluatedKey;
  } while (startKey !== undefined);
  return count;
}

const medianOf = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
};
const units = (value: number) => String(Math.round(value * 100) / 100);
const medianFigure = (figures: readonly RequestFigure[]) => ({
  ms: medianOf(figures.map((f) => f.ms)).toFixed(1),
  read: units(medianOf(figures.map((f) => f.readUnits))),
  write: units(medianOf(figures.map((f) => f.writeUnits))),
  requests: String(medianOf(figures.map((f) => f.requests))),
  kb: (medianOf(figures.map((f) => f.bytes)) / 1024).toFixed(1),
});

/** The report's podcast section. */
export function renderPodcasts(figures: PodcastFigures): string {
  const first = medianFigure(figures.fetch.first);
  const again = medianFigure(figures.fetch.again);
  const p = figures.propagation;
  // DynamoDB Local reports a transaction's items at one unit each; AWS bills two per item, plus one per GSI1 copy.
  const transactionalPrice = 2 * (figures.fetch.added + FETCH_SHOWS) + figures.fetch.added;
  const perHolder = (value: number) => units(value / HOLDERS);
  const d = figures.diff;
  const share = (part: TransferFigure) => `${((part.bytes / d.full.bytes) * 100).toFixed(1)} %`;
  const transferRow = (label: string, t: TransferFigure) =>
    `| ${label} | ${t.requests} | ${(t.bytes / 1024).toFixed(1)} KB | ${share(t)} | ${units(t.readUnits)} | ${t.ms.toFixed(0)} ms |`;
  const refresh: TransferFigure = { requests: d.diffSince.requests + d.refetch.requests, bytes: d.diffSince.bytes + d.refetch.bytes, readUnits: d.diffSince.readUnits + d.refetch.readUnits, ms: d.diffSince.ms + d.refetch.ms };
  return `## Podcasts and catalogs (issue 5)

### Catalog diff against full download: ${d.catalogKeys.toLocaleString('en-US')} keys

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
A diff costs the same read units whatever is sent: one eventually consistent query of the catalog's partition.

### Episode fetch and edit propagation

#### \`POST /v1/episodes/fetch\`: ${FETCH_SHOWS} favourites × perShow ${FETCH_PER_SHOW}

A fresh listener follows ${FETCH_SHOWS} shows of ${EPISODES_PER_SHOW} published episodes each and fetches; then fetches again
at once (nothing new). Medians of ${FETCH_RUNS} listeners; latency is the client's, through the local gateway.

| call | episodes queued | latency | RCU | WCU | DynamoDB requests | response |
|---|---:|---:|---:|---:|---:|---:|
| first fetch | ${figures.fetch.added} | ${first.ms} ms | ${first.read} | ${first.write} (AWS bills ${transactionalPrice}) | ${first.requests} | ${first.kb} KB |
| second fetch (nothing new) | 0 | ${again.ms} ms | ${again.read} | ${again.write} | ${again.requests} | ${again.kb} KB |

Where the units go: one query each for the favourites and the fetch positions, one index query per show (0.5 RCU
each), one show read per show with something new, and per show one transaction that moves the fetch position and
adds the queue entries. DynamoDB Local reports one write unit per transactional item; AWS bills two per item (the price
of never handing an episode out twice when two devices fetch at once), and each queue entry also writes its GSI1 holder
entry, so the edit below can find it: ${2 * (FETCH_SHOWS * FETCH_PER_SHOW + FETCH_SHOWS)} + ${FETCH_SHOWS * FETCH_PER_SHOW} WCU for this fetch in AWS.
The second call costs only the reads: lazy delivery has no background cost at all.

#### One episode edit reaching ${HOLDERS} queues

${HOLDERS} listeners hold the episode in their queue; the publisher then corrects its title. The stream router turns
the edit into one job on the \`propagation\` work queue; the worker refreshes a page of 250 holders per message (and
queues the next page first, so pages are worked in parallel); each refreshed queue entry then reaches its owner's
change feed and the \`changes\` queue through the stream router, like any other change.

| measure | value |
|---|---:|
| the edit itself (\`PUT …/episodes/{episodeId}\`) | ${p.edit.ms.toFixed(1)} ms, ${units(p.edit.readUnits)} RCU + ${units(p.edit.writeUnits)} WCU |
| all ${HOLDERS} queue copies refreshed after | ${(p.copiesMs / 1000).toFixed(1)} s (${p.refreshed} of ${HOLDERS}) |
| all ${HOLDERS} changes numbered into the feeds after | ${(p.feedMs / 1000).toFixed(1)} s |
| worker messages (pages) | ${p.worker.messages} (failed: ${p.worker.failed}) |
| worker units | ${units(p.worker.readUnits)} RCU + ${units(p.worker.writeUnits)} WCU = ${perHolder(p.worker.readUnits)} RCU + ${perHolder(p.worker.writeUnits)} WCU per holder |
| stream router (feed) units for the refreshed entries | ${units(p.router.readUnits)} RCU + ${units(p.router.writeUnits)} WCU over ${p.router.batches} batches, ${p.router.feedEntries} feed entries |

Each holder costs one conditional update of its queue entry (the entry is about 0.6 KB, so 1 WCU, plus 1 WCU for its
GSI1 copy) and one feed entry; the index pages cost 0.5 RCU per 4 KB read. Times are the local stack's (one machine,
DynamoDB Local, a poller standing in for the SQS event source with 4 concurrent workers); in AWS the worker scales out
by queue depth.
`;
}
