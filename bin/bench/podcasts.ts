/**
 * The podcast figures of `npm run bench` (issue 5): what `POST /v1/episodes/fetch` costs for
 * a listener following 20 shows, and what one episode edit costs to reach 2,000 queues.
 * Runs against the local stack that bin/bench/run.ts started; every figure is read from the
 * capacity meter's reports (request units DynamoDB reported) or timed at the client.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { holdersQuery } from '../../lambdas/catalog/holders-index';
import { episodeContentKey } from '../../lambdas/queue/queue-item';
import { mapConcurrently } from '../../lambdas/shared/concurrency';
import type { Endpoints } from '../../local/stack';
import { type DiffFigures, measureCatalogDiff, renderCatalogDiff, setUpDiffCatalog } from './catalog-diff';
import { FILL_CONCURRENCY } from './context';
import { drainStream, QUIET_MS, sleep } from './support';

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
    refreshed = await countRefreshed(client, context.endpoints.tableName, episodeContentKey(episodeId), updatedAt);
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

async function countRefreshed(client: DynamoDBDocumentClient, tableName: string, contentKey: string, updatedAt: string): Promise<number> {
  const holders = holdersQuery(contentKey);
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const output = await client.send(
      new QueryCommand({
        TableName: tableName,
        ...holders,
        FilterExpression: 'contentUpdatedAt = :u',
        ExpressionAttributeValues: { ...holders.ExpressionAttributeValues, ':u': updatedAt },
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
  return `## Podcasts and catalogs (issue 5)

${renderCatalogDiff(figures.diff)}

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
