/**
 * `npm run bench`: measures what DESIGN.md §7 asks for and overwrites docs/BENCHMARKS.md.
 * Everything runs on this machine and talks only to 127.0.0.1: the deployable bundles are
 * built into a temporary directory, and the local stack (DynamoDB Local, SQS/S3 emulator,
 * gateway) runs in this process on free ports with its own state, removed at the end.
 */
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mapConcurrently } from '../lambdas/shared/concurrency';
import { lambdaRuntimeTarget } from '../lib/bundling';
import { BUCKET_NAME_ENV, FEED_CURSOR_SECRET_ENV, queueDefinitions, TABLE_NAME_ENV } from '../lib/queue-definitions';
import { routes } from '../lib/routes';
import { streamRouterSettings } from '../lib/consumers';
import { sleep } from './bench-support';
import { measureMessages, type MessageFigures, renderMessages } from './bench-messages';
import { measurePodcasts, type PodcastFigures, renderPodcasts } from './bench-podcasts';
import { measureRouter, renderRouter, type RouterFigures } from './bench-router';
import { BUNDLE_SIZE_TARGET_BYTES, type BuiltBundle, MEDIA_BUNDLE_SIZE_TARGET_BYTES, buildLambdaBundles, runBundleInNode } from '../local/lambda-bundles';
import { javaMissingMessage } from '../local/java';
import { loadOrCreateSigningKey, mintToken, type SigningKey } from '../local/local-auth';
import type { Endpoints } from '../local/stack';
import { repoRoot, stateFiles } from '../local/paths';

/** The whole run must stay well inside five minutes, even on a slow machine. */
const TIME_BUDGET_MS = 290_000;
const COLD_INIT_RUNS = 5;
const WARM_UP_REQUESTS = 20;
const MEASURED_REQUESTS = 300;
/** Items a user holds when a list route is measured. */
const LIST_SIZE = 20;
/** Long enough for every progress value the bench writes. */
const ASSET_DURATION_SECONDS = 7200;
const REQUEST_TIMEOUT_MS = 10_000;

const PROGRESS_PUT_TARGET = { writeUnits: 1, readUnits: 1 };

/** Progress writes on one user, once as a trickle and once as a burst, to price the change feed. */
const FEED_WRITES = 50;
/** The feed may add at most this many write units to a progress write (issue 4). */
const FEED_EXTRA_WRITE_UNITS_TARGET = 1;
/** Concurrent requests when the bench fills a user or the catalog. */
const FILL_CONCURRENCY = 16;
/** A device polls the feed this often while it waits for a change to be numbered. */
const FEED_POLL_MS = 10;
/** How long the stream router may take to number what the bench wrote. */
const STREAM_WAIT_MS = 60_000;
/** The catch-up case: a user holding this many watchlist items and as many progress items… */
const DELTA_HOLDINGS = 500;
/** …and a device that missed this many changes. */
const DELTA_CHANGES = 10;
/** Page size of the feed read measured page by page. */
const FEED_PAGE_SIZE = 100;
/** Repeats of the delta pull and of the full fetch (the figures are medians). */
const DELTA_RUNS = 5;
/** The delta must cost under this share of the full fetch. */
const DELTA_SHARE_TARGET = 0.05;
/** Repeats of each alternative design's write. */
const ALTERNATIVE_RUNS = 3;

const reportFile = path.join(repoRoot, 'docs', 'BENCHMARKS.md');
const note = (line: string) => console.error(`bench: ${line}`);

// ---------------------------------------------------------------------------------------------
// Statistics and formatting

function percentile(sorted: readonly number[], p: number): number {
  // Nearest rank: always a value that was actually observed.
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

const median = (values: readonly number[]) => percentile([...values].sort((a, b) => a - b), 50);
const mean = (values: readonly number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
const kb = (bytes: number) => (bytes / 1024).toFixed(1);
const ms = (value: number) => value.toFixed(1);
const formatUnits = (value: number) => String(Math.round(value * 100) / 100);
const targetKb = `${BUNDLE_SIZE_TARGET_BYTES / 1024} KB`;
const metMark = (met: boolean) => (met ? '✅ met' : '❌ not met');

function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>, align: readonly ('l' | 'r')[] = []): string {
  const rule = header.map((_, i) => (align[i] === 'r' ? '---:' : '---'));
  return [header, rule, ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

// ---------------------------------------------------------------------------------------------
// a. Bundle sizes and b. cold init

interface ColdInit {
  bundle: BuiltBundle;
  samplesMs: number[];
}

/** Configuration the handlers read at module load; endpoints point at a closed local port. */
function lambdaEnvironment(): Record<string, string> {
  const deadEnd = 'http://127.0.0.1:9';
  return {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_ENDPOINT_URL_DYNAMODB: deadEnd,
    AWS_ENDPOINT_URL_SQS: deadEnd,
    AWS_ENDPOINT_URL_S3: deadEnd,
    AWS_EC2_METADATA_DISABLED: 'true',
    [TABLE_NAME_ENV]: 'playhead-table',
    [BUCKET_NAME_ENV]: 'playhead-media',
    ...Object.fromEntries(queueDefinitions.map((q) => [q.urlEnv, `${deadEnd}/000000000000/playhead-${q.name}`])),
  };
}

async function measureColdInit(bundles: readonly BuiltBundle[]): Promise<ColdInit[]> {
  const results = bundles.map((bundle) => ({ bundle, samplesMs: [] as number[] }));
  const env = lambdaEnvironment();
  // As deployed, only the routes that sign or check feed cursors get the cursor secret.
  const feedCursorRoutes = new Set<string>(routes.filter((r) => 'feedCursor' in r && r.feedCursor).map((r) => r.id));
  const envFor = (bundle: BuiltBundle) => (feedCursorRoutes.has(bundle.id) ? { ...env, [FEED_CURSOR_SECRET_ENV]: 'bench-cursor-secret' } : env);
  // Round-robin rather than bundle by bundle, so a burst of machine noise spreads over all.
  for (let run = 0; run < COLD_INIT_RUNS; run++) {
    for (const result of results) {
      const { importMs } = await runBundleInNode(result.bundle.file, { env: envFor(result.bundle) });
      result.samplesMs.push(importMs);
    }
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// The handlers' request log lines, read off stdout

interface RequestLog {
  route: string;
  status: number;
  durationMs: number;
  dynamoReadUnits: number;
  dynamoWriteUnits: number;
  dynamoRequests: number;
}

/** The stream router's one line per batch, with the request units the batch consumed. */
interface StreamBatchLog {
  records: number;
  feedEntries: number;
  dynamoReadUnits: number;
  dynamoWriteUnits: number;
  dynamoRequests: number;
}

/** The propagation worker's one line per batch of work messages. */
interface WorkerBatchLog {
  messages: number;
  failed: number;
  dynamoReadUnits: number;
  dynamoWriteUnits: number;
}

interface LogCapture {
  take(): RequestLog[];
  /** The stream router's batch lines logged since the last call. */
  takeBatches(): StreamBatchLog[];
  /** The propagation worker's batch lines logged since the last call. */
  takeWorkerBatches(): WorkerBatchLog[];
  /** Other INFO lines with this `message`, logged since the last call for it. */
  takeLines(message: string): Record<string, unknown>[];
  restore(): void;
}

/**
 * The handlers run in this process and log one JSON `request` line per call on stdout, with
 * the request units DynamoDB reported; the stream router logs one `stream batch` line per
 * batch. Reading those lines measures the unchanged handlers. Other INFO lines are dropped, so
 * the bench's own output stays readable; anything else written to stdout (warnings, errors,
 * plain text) passes through.
 */
function captureRequestLogs(): LogCapture {
  const stdout = process.stdout;
  const original = stdout.write;
  let captured: RequestLog[] = [];
  let batches: StreamBatchLog[] = [];
  let workerBatches: WorkerBatchLog[] = [];
  const others = new Map<string, Record<string, unknown>[]>();
  let partial = '';
  stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    const text = partial + (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    const passThrough: string[] = [];
    for (const line of lines) {
      const log = parseRequestLog(line);
      const batch = log ? undefined : parseStreamBatchLog(line);
      const workerBatch = log || batch ? undefined : parseWorkerBatchLog(line);
      if (log) captured.push(log);
      else if (batch) batches.push(batch);
      else if (workerBatch) workerBatches.push(workerBatch);
      else if (isRoutineLogLine(line)) {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        if (typeof parsed.message === 'string') others.set(parsed.message, [...(others.get(parsed.message) ?? []), parsed]);
      }
      // Other INFO lines (there are few) are dropped too.
      else if (!isRoutineLogLine(line)) passThrough.push(line);
    }
    if (passThrough.length > 0) original.call(stdout, `${passThrough.join('\n')}\n`);
    const callback = rest.findLast((arg) => typeof arg === 'function') as (() => void) | undefined;
    if (callback) process.nextTick(callback);
    return true;
  }) as typeof stdout.write;
  return {
    take() {
      const logs = captured;
      captured = [];
      return logs;
    },
    takeBatches() {
      const taken = batches;
      batches = [];
      return taken;
    },
    takeWorkerBatches() {
      const taken = workerBatches;
      workerBatches = [];
      return taken;
    },
    takeLines(message: string) {
      const taken = others.get(message) ?? [];
      others.delete(message);
      return taken;
    },
    restore() {
      stdout.write = original;
      if (partial !== '') original.call(stdout, partial);
    },
  };
}

function isRoutineLogLine(line: string): boolean {
  try {
    const { level } = JSON.parse(line) as { level?: unknown };
    return level === 'INFO' || level === 'DEBUG' || level === 'TRACE';
  } catch {
    return false;
  }
}

function parseRequestLog(line: string): RequestLog | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(line) as Partial<RequestLog> & { message?: unknown };
    return parsed.message === 'request' && typeof parsed.dynamoRequests === 'number' ? (parsed as RequestLog) : undefined;
  } catch {
    return undefined;
  }
}

function parseStreamBatchLog(line: string): StreamBatchLog | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(line) as Partial<StreamBatchLog> & { message?: unknown };
    return parsed.message === 'stream batch' && typeof parsed.records === 'number' && typeof parsed.dynamoWriteUnits === 'number'
      ? (parsed as StreamBatchLog)
      : undefined;
  } catch {
    return undefined;
  }
}

function parseWorkerBatchLog(line: string): WorkerBatchLog | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(line) as Partial<WorkerBatchLog> & { message?: unknown };
    return parsed.message === 'propagation batch' && typeof parsed.messages === 'number' ? (parsed as WorkerBatchLog) : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// c. Latency and d. request units, against the local stack

interface Call {
  status: number;
  text: string;
  elapsedMs: number;
  /** The `Link` header of a list page, when more pages follow. */
  link?: string | undefined;
}

interface Latency {
  label: string;
  samplesMs: number[];
  handlerMs: number[];
  /** Distinct read/write unit pairs seen across the measured requests. */
  unitPairs: Set<string>;
}

interface UnitsRow {
  operation: string;
  request: string;
  note: string;
  log: RequestLog;
}

interface StackFigures {
  latency: Latency[];
  units: UnitsRow[];
  feed: FeedFigures;
  podcasts: PodcastFigures;
  messages: MessageFigures;
  router: RouterFigures;
}

async function measureAgainstLocalStack(stateDir: string): Promise<StackFigures> {
  // The logger reads its settings when the handlers load, which startLocalStack does.
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  delete process.env.POWERTOOLS_DEV;
  const { startLocalStack } = await import('../local/stack');
  const capture = captureRequestLogs();
  let stack: Awaited<ReturnType<typeof startLocalStack>> | undefined;
  try {
    note('starting the local stack');
    stack = await startLocalStack({ stateDir, port: 0, dynamodbPort: 0, messagingPort: 0, log: (line) => console.error(line) });
    const api = stack.endpoints.api;
    if (!new URL(api).hostname.startsWith('127.')) throw new Error(`the gateway is not on 127.0.0.1: ${api}`);

    const key = await loadOrCreateSigningKey(stateFiles(stateDir).signingKey);
    const publisher = await mintToken(key, { userId: 'bench-publisher', scopes: ['catalog:write'] });

    async function call(method: string, route: string, token: string | undefined, body?: unknown): Promise<Call> {
      const headers: Record<string, string> = {};
      if (token !== undefined) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const started = performance.now();
      const response = await fetch(`${api}${route}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await response.text();
      return { status: response.status, text, elapsedMs: performance.now() - started, link: response.headers.get('link') ?? undefined };
    }

    async function expectStatus(status: number, method: string, route: string, token: string | undefined, body?: unknown): Promise<Call> {
      const result = await call(method, route, token, body);
      if (result.status !== status) throw new Error(`${method} ${route} answered ${result.status}, expected ${status}: ${result.text}`);
      return result;
    }

    const units: UnitsRow[] = [];
    /** One request, and the request units its handler logged for it. */
    async function measureUnits(operation: string, note: string, status: number, method: string, route: string, token: string | undefined, body?: unknown) {
      capture.take();
      await expectStatus(status, method, route, token, body);
      const logs = capture.take();
      const log = logs[0];
      if (logs.length !== 1 || log === undefined) throw new Error(`expected one request log line for ${method} ${route}, got ${logs.length}`);
      units.push({ operation, request: `${method} ${log.route.replace(/^\S+ /, '')}`, note, log });
    }

    const newAsset = () => ({ title: `Bench title ${randomUUID().slice(0, 8)}`, durationSeconds: ASSET_DURATION_SECONDS });

    note('measuring request units per operation');
    const assets = Array.from({ length: LIST_SIZE }, () => randomUUID());
    const [first, ...others] = assets as [string, ...string[]];
    await measureUnits('Create asset', 'new item', 200, 'PUT', `/v1/catalog/assets/${first}`, publisher, newAsset());
    await measureUnits('Replace asset', 'existing item', 200, 'PUT', `/v1/catalog/assets/${first}`, publisher, newAsset());
    for (const assetId of others) await expectStatus(200, 'PUT', `/v1/catalog/assets/${assetId}`, publisher, newAsset());

    const viewer = await mintToken(key, { userId: `bench-viewer-${randomUUID()}` });
    await measureUnits('Get asset', 'eventually consistent read', 200, 'GET', `/v1/catalog/assets/${first}`, viewer);

    await measureUnits('Add to watchlist', 'catalog check + new item', 200, 'PUT', `/v1/watchlist/${first}`, viewer);
    for (const assetId of others) await expectStatus(200, 'PUT', `/v1/watchlist/${assetId}`, viewer);
    await measureUnits('List watchlist', `${LIST_SIZE} items`, 200, 'GET', '/v1/watchlist', viewer);
    await measureUnits('Remove from watchlist', 'existing item', 200, 'DELETE', `/v1/watchlist/${first}`, viewer);

    await measureUnits('Save progress', 'catalog check + new item', 200, 'PUT', `/v1/progress/${first}`, viewer, { progress: 60 });
    await measureUnits('Save progress', 'catalog check + overwrite', 200, 'PUT', `/v1/progress/${first}`, viewer, { progress: 65 });
    for (const assetId of others) await expectStatus(200, 'PUT', `/v1/progress/${assetId}`, viewer, { progress: 30 });
    await measureUnits('Get progress', 'strongly consistent read', 200, 'GET', `/v1/progress/${first}`, viewer);
    await measureUnits('List progress', `${LIST_SIZE} items`, 200, 'GET', '/v1/progress', viewer);
    await measureUnits('Delete progress', 'existing item', 200, 'DELETE', `/v1/progress/${first}`, viewer);

    const doomed = randomUUID();
    await expectStatus(200, 'PUT', `/v1/catalog/assets/${doomed}`, publisher, newAsset());
    await measureUnits('Delete asset', 'soft delete', 200, 'DELETE', `/v1/catalog/assets/${doomed}`, publisher);
    await measureUnits('Health', 'no table access', 200, 'GET', '/v1/health', undefined);

    note(`measuring latency (${WARM_UP_REQUESTS} warm-up + ${MEASURED_REQUESTS} requests per route)`);
    const listener = await mintToken(key, { userId: `bench-latency-${randomUUID()}` });
    for (const assetId of assets) await expectStatus(200, 'PUT', `/v1/progress/${assetId}`, listener, { progress: 1 });

    async function measureLatency(label: string, send: (i: number) => Promise<Call>): Promise<Latency> {
      for (let i = 0; i < WARM_UP_REQUESTS; i++) await send(i);
      capture.take();
      const samplesMs: number[] = [];
      for (let i = 0; i < MEASURED_REQUESTS; i++) samplesMs.push((await send(WARM_UP_REQUESTS + i)).elapsedMs);
      const logs = capture.take();
      return {
        label,
        samplesMs,
        handlerMs: logs.map((l) => l.durationMs),
        unitPairs: new Set(logs.map((l) => `${formatUnits(l.dynamoReadUnits)} RCU + ${formatUnits(l.dynamoWriteUnits)} WCU`)),
      };
    }

    const latency = [
      // One viewer's player reporting ever-later positions of the same title, as in production.
      await measureLatency('`PUT /v1/progress/{assetId}` (overwrite)', (i) => expectStatus(200, 'PUT', `/v1/progress/${first}`, listener, { progress: 100 + i })),
      await measureLatency(`\`GET /v1/progress\` (${LIST_SIZE} items)`, () => expectStatus(200, 'GET', '/v1/progress', listener)),
    ];

    const feed = await measureChangeFeed({ call, expectStatus, capture, key, publisher, endpoints: stack.endpoints, assets, newAsset });
    const podcasts = await measurePodcasts({
      expectStatus,
      capture,
      publisher,
      newListener: () => mintToken(key, { userId: `bench-listener-${randomUUID()}` }),
      endpoints: stack.endpoints,
      note,
    });
    const messages = await measureMessages({
      expectStatus,
      capture,
      newUser: async () => {
        const id = `bench-messenger-${randomUUID()}`;
        return { id, token: await mintToken(key, { userId: id }) };
      },
      note,
    });
    const router = await measureRouter({ capture, note });
    return { latency, units, feed, podcasts, messages, router };
  } finally {
    if (stack) {
      note('stopping the local stack');
      await stack.stop();
    }
    capture.restore();
  }
}

// ---------------------------------------------------------------------------------------------
// e. The change feed: its price per write, its read cost, delta sync against full fetch, and
// the designs it was chosen over

interface FeedContext {
  call(method: string, route: string, token: string | undefined, body?: unknown): Promise<Call>;
  expectStatus(status: number, method: string, route: string, token: string | undefined, body?: unknown): Promise<Call>;
  capture: LogCapture;
  key: SigningKey;
  publisher: string;
  endpoints: Endpoints;
  /** Assets that exist in the catalog. */
  assets: readonly string[];
  newAsset(): unknown;
}

interface ChangesPageBody {
  changes: Array<{ seq: number; type: string; key: string; op: string }>;
  cursor: string;
  hasMore: boolean;
}

interface BatchTotals {
  batches: number;
  /** Batches in which the router wrote at least one feed entry. */
  batchesWithEntries: number;
  /** Batches holding nothing but records the feed ignores (mostly the feed entries' own INSERTs). */
  ignoredOnlyBatches: number;
  records: number;
  feedEntries: number;
  readUnits: number;
  writeUnits: number;
  requests: number;
}

interface FeedRun {
  label: string;
  how: string;
  /** The request log of every progress PUT. */
  api: RequestLog[];
  batches: BatchTotals;
}

/** One request and what it cost: body bytes, time until the body was read, request units. */
interface Sample {
  bytes: number;
  ms: number;
  readUnits: number;
  requests: number;
}

interface PageSample extends Sample {
  changes: number;
}

interface AlternativeRow {
  design: string;
  operation: string;
  /** What DynamoDB Local reported (ReturnConsumedCapacity TOTAL), per write. */
  reported: number;
  /** The same broken down, as DynamoDB Local reported it (INDEXES). */
  breakdown: string;
  /** DynamoDB's documented price for the same write, as a range where the documentation leaves room. */
  documented: readonly [number, number];
  documentedHow: string;
}

interface FeedFigures {
  trickle: FeedRun;
  burst: FeedRun;
  /** PUT answered → the change first seen by a device polling GET /v1/changes. */
  delaysMs: number[];
  feedEntryBytes: number;
  transactionItemBytes: number;
  alternatives: AlternativeRow[];
  feedPages: PageSample[];
  /** Polls that found nothing new (the fixed cost of one feed request). */
  emptyPolls: PageSample[];
  snapshot: { pages: number; changes: number; bytes: number; ms: number; readUnits: number };
  delta: { changes: number; samples: Sample[] };
  full: { items: number; samples: Sample[] };
}

const bytesOf = (text: string) => Buffer.byteLength(text, 'utf8');

/** Runs `fn` over `items` with at most `limit` calls in flight. */
const inParallel = async <T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<unknown>): Promise<void> => {
  await mapConcurrently(items, limit, fn);
};

function totalsOf(batches: readonly StreamBatchLog[]): BatchTotals {
  return {
    batches: batches.length,
    batchesWithEntries: batches.filter((b) => b.feedEntries > 0).length,
    ignoredOnlyBatches: batches.filter((b) => b.feedEntries === 0).length,
    records: batches.reduce((sum, b) => sum + b.records, 0),
    feedEntries: batches.reduce((sum, b) => sum + b.feedEntries, 0),
    readUnits: batches.reduce((sum, b) => sum + b.dynamoReadUnits, 0),
    writeUnits: batches.reduce((sum, b) => sum + b.dynamoWriteUnits, 0),
    requests: batches.reduce((sum, b) => sum + b.dynamoRequests, 0),
  };
}

/** Waits until the stream router has gone `quietMs` without a batch (earlier work is done). */
async function waitForStreamQuiet(capture: LogCapture, quietMs = 1000): Promise<void> {
  const deadline = performance.now() + STREAM_WAIT_MS;
  let lastBatch = performance.now();
  for (;;) {
    if (capture.takeBatches().length > 0) lastBatch = performance.now();
    else if (performance.now() - lastBatch >= quietMs) return;
    if (performance.now() > deadline) throw new Error('the stream router never went quiet');
    await sleep(25);
  }
}

/**
 * Collects the stream router's batches until it has numbered `changes` changes and seen as many
 * records again (each feed entry is itself an INSERT on the stream). Nothing else writes to the
 * table meanwhile, so the totals must match exactly; anything else means the figures are not
 * what they claim to be.
 */
async function streamBatchesFor(capture: LogCapture, changes: number, what: string): Promise<BatchTotals> {
  const batches: StreamBatchLog[] = [];
  const deadline = performance.now() + STREAM_WAIT_MS;
  for (;;) {
    batches.push(...capture.takeBatches());
    const totals = totalsOf(batches);
    if (totals.feedEntries >= changes && totals.records >= 2 * changes) {
      if (totals.feedEntries !== changes || totals.records !== 2 * changes) {
        throw new Error(`${what}: expected ${changes} feed entries in ${2 * changes} records, the stream router logged ${JSON.stringify(totals)}`);
      }
      return totals;
    }
    if (performance.now() > deadline) throw new Error(`${what}: the stream router numbered too little in time: ${JSON.stringify(totals)}`);
    await sleep(20);
  }
}

/** DynamoDB's item size: attribute names plus values (numbers ≈ 1 byte per 2 digits + 1). */
function dynamoItemBytes(item: Record<string, unknown>): number {
  const valueBytes = (value: unknown): number => {
    if (typeof value === 'string') return bytesOf(value);
    if (typeof value === 'number') return Math.ceil(String(Math.abs(value)).replace(/[.e+-]/g, '').replace(/^0+/, '').length / 2) + 1;
    if (typeof value === 'boolean' || value === null || value === undefined) return 1;
    if (Array.isArray(value)) return 3 + value.reduce((sum: number, v) => sum + 1 + valueBytes(v), 0);
    if (typeof value === 'object') return 3 + Object.entries(value).reduce((sum, [k, v]) => sum + bytesOf(k) + 1 + valueBytes(v), 0);
    return 0;
  };
  return Object.entries(item).reduce((sum, [k, v]) => sum + bytesOf(k) + valueBytes(v), 0);
}

async function measureChangeFeed(ctx: FeedContext): Promise<FeedFigures> {
  const { expectStatus, capture, key } = ctx;

  /** One GET /v1/changes and the request log line it produced. */
  async function changesPage(token: string, since: string | undefined, limit?: number): Promise<{ page: ChangesPageBody; sample: PageSample }> {
    const query = new URLSearchParams();
    if (since !== undefined) query.set('since', since);
    if (limit !== undefined) query.set('limit', String(limit));
    capture.take();
    const result = await expectStatus(200, 'GET', `/v1/changes${query.size > 0 ? `?${query}` : ''}`, token);
    const log = capture.take().find((l) => l.route === 'GET /v1/changes');
    if (log === undefined) throw new Error('GET /v1/changes logged no request line');
    const page = JSON.parse(result.text) as ChangesPageBody;
    return { page, sample: { changes: page.changes.length, bytes: bytesOf(result.text), ms: result.elapsedMs, readUnits: log.dynamoReadUnits, requests: log.dynamoRequests } };
  }

  const progressPut = (token: string, assetId: string, progress: number) => expectStatus(200, 'PUT', `/v1/progress/${assetId}`, token, { progress });
  const apiProgressLogs = () => capture.take().filter((l) => l.route === 'PUT /v1/progress/{assetId}');

  // Whatever the earlier sections wrote must be through the stream router before counting.
  note('waiting for the stream router to finish the earlier writes');
  await waitForStreamQuiet(capture);

  // -- The price per write: a trickle (every change alone in its batch) and a burst.
  note(`pricing the change feed: ${FEED_WRITES} progress writes one at a time, then ${FEED_WRITES} at once`);
  const feedUserId = `bench-feed-${randomUUID()}`;
  const feedUser = await mintToken(key, { userId: feedUserId });
  let { cursor } = (await changesPage(feedUser, undefined)).page;
  capture.takeBatches();
  const trickleApi: RequestLog[] = [];
  const delaysMs: number[] = [];
  for (let i = 0; i < FEED_WRITES; i++) {
    const assetId = ctx.assets[i % ctx.assets.length] as string;
    capture.take();
    await progressPut(feedUser, assetId, 200 + i);
    const answered = performance.now();
    trickleApi.push(...apiProgressLogs());
    for (;;) {
      const { page } = await changesPage(feedUser, cursor);
      if (page.changes.length > 0) {
        delaysMs.push(performance.now() - answered);
        if (page.changes.length !== 1 || page.changes[0]?.key !== assetId) throw new Error(`trickle write ${i}: the feed answered ${JSON.stringify(page.changes)}`);
        cursor = page.cursor;
        break;
      }
      if (performance.now() - answered > STREAM_WAIT_MS) throw new Error(`trickle write ${i} never reached the feed`);
      await sleep(FEED_POLL_MS);
    }
  }
  const trickle: FeedRun = {
    label: 'Trickle',
    how: 'one write at a time; the next is sent once the previous one is in GET /v1/changes',
    api: trickleApi,
    batches: await streamBatchesFor(capture, FEED_WRITES, 'trickle'),
  };

  capture.take();
  await inParallel(
    Array.from({ length: FEED_WRITES }, (_, i) => i),
    FILL_CONCURRENCY,
    (i) => progressPut(feedUser, ctx.assets[i % ctx.assets.length] as string, 1000 + i),
  );
  const burst: FeedRun = {
    label: 'Burst',
    how: `${FEED_WRITES} writes, ${FILL_CONCURRENCY} in flight, then wait`,
    api: apiProgressLogs(),
    batches: await streamBatchesFor(capture, FEED_WRITES, 'burst'),
  };
  const burstChanges: number[] = [];
  for (let more = true; more; ) {
    const { page } = await changesPage(feedUser, cursor, 1000);
    burstChanges.push(...page.changes.map((c) => c.seq));
    cursor = page.cursor;
    more = page.hasMore;
  }
  if (burstChanges.length !== FEED_WRITES) throw new Error(`the burst left ${burstChanges.length} changes in the feed, not ${FEED_WRITES}`);

  if (!new URL(ctx.endpoints.dynamodb).hostname.startsWith('127.')) throw new Error(`DynamoDB Local is not on 127.0.0.1: ${ctx.endpoints.dynamodb}`);
  const raw = new DynamoDBClient({ endpoint: ctx.endpoints.dynamodb, region: ctx.endpoints.region, credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  const doc = DynamoDBDocumentClient.from(raw);
  try {
    const entryItem = (
      await doc.send(
        new QueryCommand({
          TableName: ctx.endpoints.tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :feed)',
          ExpressionAttributeValues: { ':pk': `USER#${feedUserId}`, ':feed': 'FEED#' },
          Limit: 1,
        }),
      )
    ).Items?.[0];
    if (entryItem === undefined) throw new Error('no feed entry found in the table');
    const feedEntryBytes = dynamoItemBytes(entryItem);

    // -- Delta sync against full fetch, and the feed read cost, on a user with 1,000 items.
    note(`filling a user with ${DELTA_HOLDINGS} watchlist and ${DELTA_HOLDINGS} progress items`);
    const catalog = Array.from({ length: DELTA_HOLDINGS + 1 }, () => randomUUID());
    await inParallel(catalog, FILL_CONCURRENCY, (assetId) => expectStatus(200, 'PUT', `/v1/catalog/assets/${assetId}`, ctx.publisher, ctx.newAsset()));
    await waitForStreamQuiet(capture, 500);
    const holdings = catalog.slice(0, DELTA_HOLDINGS);
    const newcomer = catalog[DELTA_HOLDINGS] as string;
    const deltaUser = await mintToken(key, { userId: `bench-delta-${randomUUID()}` });
    const origin = (await changesPage(deltaUser, undefined)).page.cursor;
    capture.takeBatches();
    await inParallel([...holdings.map((id) => ['watchlist', id] as const), ...holdings.map((id) => ['progress', id] as const)], FILL_CONCURRENCY, ([kind, assetId], i) =>
      kind === 'watchlist' ? expectStatus(200, 'PUT', `/v1/watchlist/${assetId}`, deltaUser) : progressPut(deltaUser, assetId, 10 + (i % 100)),
    );
    capture.take();
    await streamBatchesFor(capture, 2 * DELTA_HOLDINGS, 'filling the catch-up user');

    note(`reading the feed in pages of ${FEED_PAGE_SIZE}`);
    const feedPages: PageSample[] = [];
    for (let since = origin, more = true; more; ) {
      const { page, sample } = await changesPage(deltaUser, since, FEED_PAGE_SIZE);
      feedPages.push(sample);
      since = page.cursor;
      more = page.hasMore;
    }

    note('measuring delta sync against full fetch');
    // The device: pulls everything (the snapshot, then the feed), as a new install would.
    const snapshot = { pages: 0, changes: 0, bytes: 0, ms: 0, readUnits: 0 };
    let deviceCursor: string | undefined;
    for (let more = true; more; ) {
      const { page, sample } = await changesPage(deltaUser, deviceCursor, 1000);
      snapshot.pages += 1;
      snapshot.changes += sample.changes;
      snapshot.bytes += sample.bytes;
      snapshot.ms += sample.ms;
      snapshot.readUnits += sample.readUnits;
      deviceCursor = page.cursor;
      more = page.hasMore;
    }
    if (snapshot.changes !== 2 * DELTA_HOLDINGS) throw new Error(`the device pulled ${snapshot.changes} items, not ${2 * DELTA_HOLDINGS}`);
    const emptyPolls: PageSample[] = [];
    for (let run = 0; run < DELTA_RUNS; run++) emptyPolls.push((await changesPage(deltaUser, deviceCursor)).sample);

    // Then, while the device is away: progress on a few titles, one title off the watchlist, one on.
    const progressed = holdings.slice(0, DELTA_CHANGES - 2);
    for (const [i, assetId] of progressed.entries()) await progressPut(deltaUser, assetId, 500 + i);
    await expectStatus(200, 'DELETE', `/v1/watchlist/${holdings[DELTA_HOLDINGS - 1] as string}`, deltaUser);
    await expectStatus(200, 'PUT', `/v1/watchlist/${newcomer}`, deltaUser);
    capture.take();
    await streamBatchesFor(capture, DELTA_CHANGES, 'the ten changes');

    const delta = { changes: 0, samples: [] as Sample[] };
    const full = { items: 0, samples: [] as Sample[] };
    for (let run = 0; run < DELTA_RUNS; run++) {
      const { page, sample } = await changesPage(deltaUser, deviceCursor);
      if (page.changes.length !== DELTA_CHANGES || page.hasMore) throw new Error(`the delta held ${page.changes.length} changes (hasMore ${page.hasMore}), not ${DELTA_CHANGES}`);
      delta.changes = page.changes.length;
      delta.samples.push(sample);

      capture.take();
      const lists = [await expectStatus(200, 'GET', '/v1/watchlist?limit=1000', deltaUser), await expectStatus(200, 'GET', '/v1/progress?limit=1000', deltaUser)];
      const logs = capture.take();
      full.items = lists.reduce((sum, l) => sum + (JSON.parse(l.text) as unknown[]).length, 0);
      if (full.items !== 2 * DELTA_HOLDINGS || logs.length !== 2) throw new Error(`the full fetch returned ${full.items} items in ${logs.length} logged requests`);
      full.samples.push({
        bytes: lists.reduce((sum, l) => sum + bytesOf(l.text), 0),
        ms: lists.reduce((sum, l) => sum + l.elapsedMs, 0),
        readUnits: logs.reduce((sum, l) => sum + l.dynamoReadUnits, 0),
        requests: logs.reduce((sum, l) => sum + l.dynamoRequests, 0),
      });
    }

    note('measuring the alternative designs directly against DynamoDB Local');
    const { rows: alternatives, transactionItemBytes } = await measureAlternatives(raw, doc, ctx.endpoints.tableName);
    return { trickle, burst, delaysMs, feedEntryBytes, transactionItemBytes, alternatives, feedPages, emptyPolls, snapshot, delta, full };
  } finally {
    raw.destroy();
  }
}

type Consumed = { CapacityUnits?: number; Table?: { CapacityUnits?: number }; LocalSecondaryIndexes?: Record<string, { CapacityUnits?: number }> };

const consumedTotal = (consumed: Consumed | Consumed[] | undefined) => (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);

function consumedBreakdown(consumed: Consumed | Consumed[] | undefined): string {
  const all = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
  const table = all.reduce((sum, c) => sum + (c.Table?.CapacityUnits ?? 0), 0);
  const lsi = all.reduce((sum, c) => sum + Object.values(c.LocalSecondaryIndexes ?? {}).reduce((s, i) => s + (i.CapacityUnits ?? 0), 0), 0);
  return lsi > 0 ? `table ${formatUnits(table)} + LSI ${formatUnits(lsi)}` : `table ${formatUnits(table)}`;
}

/**
 * The designs the feed was chosen over, written for real against DynamoDB Local: Replicache's
 * per-user version (the item and a counter in one transaction), with and without a local
 * secondary index on the sequence, and a sequence stamped on the items themselves behind an
 * LSI. Items live under a throwaway partition (the stream router ignores it); the LSI needs a
 * table of its own, created here and deleted afterwards.
 */
async function measureAlternatives(raw: DynamoDBClient, doc: DynamoDBDocumentClient, tableName: string): Promise<{ rows: AlternativeRow[]; transactionItemBytes: number }> {
  const rows: AlternativeRow[] = [];
  const progressItem = (pk: string, assetId: string, progress: number, extra: Record<string, unknown>) => ({
    PK: pk,
    SK: `PROGRESS#${assetId}`,
    entity: 'progress',
    assetId,
    progress,
    updatedAt: new Date().toISOString(),
    ...extra,
  });
  let transactionItemBytes = 0;

  /** Replicache: put the item stamped with the next version and bump the counter if it is still the one read. */
  async function replicacheWrites(table: string, design: string, documented: (first: boolean) => { units: readonly [number, number]; how: string }) {
    const pk = `BENCH#${randomUUID()}`;
    await doc.send(new PutCommand({ TableName: table, Item: { PK: pk, SK: 'VERSION', version: 0 } }));
    const assetId = randomUUID();
    for (let version = 0; version < ALTERNATIVE_RUNS; version++) {
      const item = progressItem(pk, assetId, 100 + version, { seq: version + 1 });
      transactionItemBytes = dynamoItemBytes(item);
      const out = await doc.send(
        new TransactWriteCommand({
          ReturnConsumedCapacity: 'INDEXES',
          TransactItems: [
            { Put: { TableName: table, Item: item } },
            {
              Update: {
                TableName: table,
                Key: { PK: pk, SK: 'VERSION' },
                UpdateExpression: 'SET version = version + :one',
                ConditionExpression: 'version = :expected',
                ExpressionAttributeValues: { ':one': 1, ':expected': version },
              },
            },
          ],
        }),
      );
      if (version < 2) {
        const price = documented(version === 0);
        rows.push({
          design,
          operation: version === 0 ? 'progress write, new item' : 'progress write, overwrite',
          reported: consumedTotal(out.ConsumedCapacity),
          breakdown: consumedBreakdown(out.ConsumedCapacity),
          documented: price.units,
          documentedHow: price.how,
        });
      }
    }
  }

  await replicacheWrites(tableName, 'Replicache per-user version (transaction, no index)', () => ({ units: [4, 4], how: '2 items × 2 WCU (transactional writes cost double)' }));

  const lsiTable = `${tableName}-bench-lsi`;
  await raw.send(
    new CreateTableCommand({
      TableName: lsiTable,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'PK', AttributeType: 'S' },
        { AttributeName: 'SK', AttributeType: 'S' },
        { AttributeName: 'seq', AttributeType: 'N' },
      ],
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
      LocalSecondaryIndexes: [
        {
          IndexName: 'bySeq',
          KeySchema: [
            { AttributeName: 'PK', KeyType: 'HASH' },
            { AttributeName: 'seq', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  try {
    await replicacheWrites(lsiTable, 'Replicache per-user version + LSI on (PK, seq)', (first) =>
      first
        ? { units: [5, 6], how: '2 items × 2 WCU + 1 LSI put (2 if doubled in a transaction)' }
        : { units: [6, 8], how: '2 items × 2 WCU + LSI delete and put, seq changed (4 if doubled)' },
    );

    // A sequence stamped on the item itself: the API writes the item as today, the stream
    // consumer then sets `seq` on it (conditionally, so a newer write is not renumbered).
    const pk = `BENCH#${randomUUID()}`;
    const assetId = randomUUID();
    for (let run = 0; run < 2; run++) {
      const put = await doc.send(new PutCommand({ TableName: lsiTable, ReturnConsumedCapacity: 'INDEXES', Item: progressItem(pk, assetId, 100 + run, {}) }));
      const stamp = await doc.send(
        new UpdateCommand({
          TableName: lsiTable,
          ReturnConsumedCapacity: 'INDEXES',
          Key: { PK: pk, SK: `PROGRESS#${assetId}` },
          UpdateExpression: 'SET seq = :seq',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeValues: { ':seq': Date.now() * 1000 + run },
        }),
      );
      rows.push({
        design: 'Sequence stamped on the item + LSI on (PK, seq)',
        operation: run === 0 ? 'API put + consumer stamp, new item' : 'API put + consumer stamp, overwrite',
        reported: consumedTotal(put.ConsumedCapacity) + consumedTotal(stamp.ConsumedCapacity),
        breakdown: `put ${consumedBreakdown(put.ConsumedCapacity)}; stamp ${consumedBreakdown(stamp.ConsumedCapacity)}`,
        documented: run === 0 ? [3, 3] : [4, 4],
        documentedHow: run === 0 ? 'put 1 + stamp 1 + LSI put 1' : 'put 1 + LSI delete 1 (seq dropped) + stamp 1 + LSI put 1',
      });
    }
  } finally {
    await raw.send(new DeleteTableCommand({ TableName: lsiTable }));
  }
  return { rows, transactionItemBytes };
}

// ---------------------------------------------------------------------------------------------
// The report

interface Figures {
  startedAt: Date;
  /** One-minute load average when the run began. */
  loadAtStart: number;
  elapsedS: number;
  bundles: BuiltBundle[];
  coldInit: ColdInit[];
  stack: StackFigures;
}

function render({ startedAt, loadAtStart, elapsedS, bundles, coldInit, stack }: Figures): string {
  const cpus = os.cpus();
  const oversize = bundles.filter((b) => b.bytes > b.sizeTargetBytes);
  const largest = [...bundles].sort((a, b) => b.bytes - a.bytes)[0];
  const progressPuts = stack.units.filter((u) => u.request === 'PUT /v1/progress/{assetId}');
  const maxProgressWrite = Math.max(...progressPuts.map((u) => u.log.dynamoWriteUnits));
  const maxProgressRead = Math.max(...progressPuts.map((u) => u.log.dynamoReadUnits));
  const coldMedians = coldInit.map((c) => median(c.samplesMs));
  const putLatency = stack.latency[0];

  const { feed } = stack;
  const runs = [feed.trickle, feed.burst];
  const feedApi = runs.flatMap((r) => r.api);
  const apiWrite = Math.max(...feedApi.map((l) => l.dynamoWriteUnits));
  const apiRead = Math.max(...feedApi.map((l) => l.dynamoReadUnits));
  const perChange = (r: FeedRun) => ({ write: r.batches.writeUnits / r.batches.feedEntries, read: r.batches.readUnits / r.batches.feedEntries });
  const worstFeedWrite = Math.max(...runs.map((r) => perChange(r).write));
  const worstFeedRead = Math.max(...runs.map((r) => perChange(r).read));
  const feedWriteMet = worstFeedWrite <= FEED_EXTRA_WRITE_UNITS_TARGET;
  const delaySorted = [...feed.delaysMs].sort((a, b) => a - b);
  const deltaMedian = { bytes: median(feed.delta.samples.map((x) => x.bytes)), ms: median(feed.delta.samples.map((x) => x.ms)), readUnits: median(feed.delta.samples.map((x) => x.readUnits)) };
  const fullMedian = { bytes: median(feed.full.samples.map((x) => x.bytes)), ms: median(feed.full.samples.map((x) => x.ms)), readUnits: median(feed.full.samples.map((x) => x.readUnits)) };
  const share = { bytes: deltaMedian.bytes / fullMedian.bytes, ms: deltaMedian.ms / fullMedian.ms, readUnits: deltaMedian.readUnits / fullMedian.readUnits };
  const pct = (fraction: number) => `${(fraction * 100).toFixed(1)} %`;
  const fullPages = feed.feedPages.filter((p) => p.changes === FEED_PAGE_SIZE);
  const feedChanges = feed.feedPages.reduce((sum, p) => sum + p.changes, 0);
  const feedPagesRead = feed.feedPages.reduce((sum, p) => sum + p.readUnits, 0);
  const misreported = feed.alternatives.filter((a) => a.reported < a.documented[0] || a.reported > a.documented[1]);
  const priceRange = ([low, high]: readonly [number, number]) => (low === high ? formatUnits(low) : `${formatUnits(low)}–${formatUnits(high)}`);
  const chosenTrickle = perChange(feed.trickle);
  const chosenBurst = perChange(feed.burst);
  const emptyPoll = { bytes: median(feed.emptyPolls.map((p) => p.bytes)), ms: median(feed.emptyPolls.map((p) => p.ms)), readUnits: median(feed.emptyPolls.map((p) => p.readUnits)) };

  const contributors = largest
    ? Object.entries(largest.bytesByPackage)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 6)
        .map(([name, bytes]) => [`\`${name}\``, kb(bytes), `${Math.round((bytes / largest.bytes) * 100)} %`])
    : [];

  return `# Benchmarks

Measured figures for the checks in DESIGN.md §7: how big the deployable Lambda bundles are, how
long they take to load, how fast the hot routes answer through the local gateway, how many
DynamoDB request units each operation consumes, what the change feed adds to a write and costs
to read, and what a device pays to catch up through it. \`npm run bench\` (bin/bench.ts) produced this
file and overwrites it on every run; the figures are from one machine and one run, so compare
runs on the same machine rather than reading the milliseconds as absolute.

- **Measured:** ${startedAt.toISOString().replace(/\.\d+Z$/, 'Z')} (run took ${elapsedS.toFixed(0)} s)
- **Machine:** ${os.availableParallelism()} CPUs (nproc), ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()} ${os.arch()}; load average ${loadAtStart.toFixed(2)} at the start (other work on the machine skews the milliseconds, not the sizes or units)
- **Node:** ${process.version} (bench and bundle loads); bundles target \`${lambdaRuntimeTarget}\` as deployed

## Targets

${table(
  ['Target', 'Measured', 'Result'],
  [
    [
      `Every bundle ≤ ${targetKb} (${MEDIA_BUNDLE_SIZE_TARGET_BYTES / 1024} KB with the S3 client)`,
      oversize.length === 0 ? `largest ${largest?.id} at ${kb(largest?.bytes ?? 0)} KB` : `${oversize.length} of ${bundles.length} over; largest ${largest?.id} at ${kb(largest?.bytes ?? 0)} KB`,
      metMark(oversize.length === 0),
    ],
    [
      `Progress PUT ≤ ${PROGRESS_PUT_TARGET.writeUnits} WCU (item < 1 KB)`,
      `${formatUnits(maxProgressWrite)} WCU`,
      metMark(maxProgressWrite <= PROGRESS_PUT_TARGET.writeUnits),
    ],
    [`Progress PUT ≤ ${PROGRESS_PUT_TARGET.readUnits} RCU`, `${formatUnits(maxProgressRead)} RCU`, metMark(maxProgressRead <= PROGRESS_PUT_TARGET.readUnits)],
    [
      `The change feed adds ≤ ${FEED_EXTRA_WRITE_UNITS_TARGET} WCU to a progress write (§5)`,
      `+${formatUnits(worstFeedWrite)} WCU per change (trickle ${formatUnits(chosenTrickle.write)}, burst ${formatUnits(chosenBurst.write)}); +${formatUnits(worstFeedRead)} RCU at worst`,
      metMark(feedWriteMet),
    ],
    [
      `Delta after ${DELTA_CHANGES} changes among ${2 * DELTA_HOLDINGS} items < ${DELTA_SHARE_TARGET * 100} % of the full fetch: bytes (§7)`,
      `${deltaMedian.bytes} of ${fullMedian.bytes} bytes = ${pct(share.bytes)}`,
      metMark(share.bytes < DELTA_SHARE_TARGET),
    ],
    [
      `… read units`,
      `${formatUnits(deltaMedian.readUnits)} of ${formatUnits(fullMedian.readUnits)} RCU = ${pct(share.readUnits)}`,
      metMark(share.readUnits < DELTA_SHARE_TARGET),
    ],
    [`… time (local, median of ${DELTA_RUNS})`, `${ms(deltaMedian.ms)} of ${ms(fullMedian.ms)} ms = ${pct(share.ms)}`, metMark(share.ms < DELTA_SHARE_TARGET)],
  ],
)}
${
  oversize.length > 0 && largest
    ? `
Where the bytes of the largest bundle (${largest.id}) come from, by package (\`app\` is this
repository's code):

${table(['Package', 'KB in bundle', 'Share'], contributors, ['l', 'r', 'r'])}
`
    : ''
}
## 1. Bundle size

Every route handler and the stream router is built with \`esbuildOptionsFor\` from
lib/bundling.ts, the settings the CDK stacks deploy (ESM, minified, AWS SDK bundled, no source
map). Sizes are of the single output file; 1 KB = 1024 bytes.

${table(
  ['Function', 'Invoked by', 'Minified KB', 'Target KB', 'Within'],
  bundles.map((b) => [b.id, `\`${b.trigger}\``, kb(b.bytes), kb(b.sizeTargetBytes), b.bytes > b.sizeTargetBytes ? '❌ over' : '✅']),
  ['l', 'l', 'r', 'r', 'l'],
)}

Targets: ${targetKb}; ${MEDIA_BUNDLE_SIZE_TARGET_BYTES / 1024} KB for the functions that touch message videos, which carry the S3 client and presigner.

## 2. Cold init

For each bundle, a fresh \`node\` process (no tsx, no loader) is started ${COLD_INIT_RUNS} times; each
time it takes the time, runs \`await import(bundle)\` as the Lambda runtime loads an ES module,
and reports how long the import took. This is the bundle's own share of a cold start (parsing
and module-level code such as SDK client construction); the Lambda runtime's bootstrap and the
first request's connection set-up come on top. The configuration the handlers read at load
(\`TABLE_NAME\`, queue URLs, region, dummy credentials) is set; nothing is contacted.

${table(
  ['Function', 'Median ms', 'Min ms', 'Max ms'],
  coldInit.map((c) => [c.bundle.id, ms(median(c.samplesMs)), ms(Math.min(...c.samplesMs)), ms(Math.max(...c.samplesMs))]),
  ['l', 'r', 'r', 'r'],
)}

Median over all bundles: ${ms(median(coldMedians))} ms.

## 3. Latency through the local gateway

The local stack (DynamoDB Local, the SQS/S3 emulator, the gateway with the unchanged handlers
in process) is started on free ports with a temporary state directory. One client sends
requests one after another over HTTP with a valid token: ${WARM_UP_REQUESTS} warm-up requests, then
${MEASURED_REQUESTS} measured ones per route. A request's time runs from sending until the whole body
is read, so it includes the gateway's JWT check and DynamoDB Local (a Java process persisting
to disk) on 127.0.0.1; "in handler" is the handler's own \`durationMs\` from its log line. As
with \`npm start\`, the stream poller runs alongside and shares the CPUs. These are local
figures for spotting regressions, not a forecast of latency in AWS.

${table(
  ['Request', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'Mean ms', 'Max ms', 'In handler p50 ms'],
  stack.latency.map((l) => {
    const sorted = [...l.samplesMs].sort((a, b) => a - b);
    return [
      l.label,
      String(sorted.length),
      ms(percentile(sorted, 50)),
      ms(percentile(sorted, 95)),
      ms(percentile(sorted, 99)),
      ms(mean(sorted)),
      ms(sorted.at(-1) ?? Number.NaN),
      ms(median(l.handlerMs)),
    ];
  }),
  ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
)}

Every one of the ${MEASURED_REQUESTS} measured progress writes consumed ${[...(putLatency?.unitPairs ?? [])].join(' or ')}.

## 4. DynamoDB request units per operation

Every DynamoDB call the handlers make asks for \`ReturnConsumedCapacity: TOTAL\` and adds the
answer to a per-request tally (lambdas/shared/dynamo.ts, capacity-meter.ts), which the request's
log line reports. The bench sends one request per operation through the local gateway and reads
that line. The units are what DynamoDB Local reports, by DynamoDB's rules: a write costs 1 WCU
per KB of item written, a strongly consistent read 1 RCU per 4 KB and an eventually consistent
read half that. Lists were measured with ${LIST_SIZE} small items in the user's partition.

${table(
  ['Operation', 'Request', 'Case', 'RCU', 'WCU', 'DynamoDB calls'],
  stack.units.map((u) => [u.operation, `\`${u.request}\``, u.note, formatUnits(u.log.dynamoReadUnits), formatUnits(u.log.dynamoWriteUnits), String(u.log.dynamoRequests)]),
  ['l', 'l', 'l', 'r', 'r', 'r'],
)}

Target for the hottest write, saving progress: at most ${PROGRESS_PUT_TARGET.writeUnits} WCU (one item under 1 KB) and
at most ${PROGRESS_PUT_TARGET.readUnits} RCU (the catalog check). Measured: ${formatUnits(maxProgressWrite)} WCU and ${formatUnits(maxProgressRead)} RCU, so the
target is ${maxProgressWrite <= PROGRESS_PUT_TARGET.writeUnits && maxProgressRead <= PROGRESS_PUT_TARGET.readUnits ? 'met' : 'not met'}.

## 5. Price of the change feed

API writes are unchanged by the feed: the progress PUT is still one PutItem plus the catalog
check. The feed is written by the stream router (lambdas/sync/feed-writer.ts): for each user in
a batch, one strongly consistent Query of the user's last feed entry, then one PutItem per
change (docs/SYNC.md). Its cost is read from the router's \`stream batch\` log line, which
carries the request units of every DynamoDB call the batch made. One user wrote ${FEED_WRITES} progress
updates twice: as a trickle, each write sent only once the previous one was visible in
\`GET /v1/changes\`, so every batch holds one change (the worst case: the Query is paid per
change), and as a burst. The local poller hands the router up to ${streamRouterSettings.batchSize} records per batch with
no batching window; in AWS the event source mapping also waits up to
${streamRouterSettings.maxBatchingWindowSeconds} s to fill a batch, so busy users get larger batches than here.

${table(
  ['Run', 'How', 'Changes', 'Batches with changes', 'Changes per batch', 'RCU per batch', 'WCU per batch', 'RCU per change', 'WCU per change'],
  runs.map((r) => [
    r.label,
    r.how,
    String(r.batches.feedEntries),
    String(r.batches.batchesWithEntries),
    (r.batches.feedEntries / r.batches.batchesWithEntries).toFixed(1),
    formatUnits(r.batches.readUnits / r.batches.batchesWithEntries),
    formatUnits(r.batches.writeUnits / r.batches.batchesWithEntries),
    formatUnits(perChange(r).read),
    formatUnits(perChange(r).write),
  ]),
  ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
)}

A progress write's feed entry is about ${feed.feedEntryBytes} bytes (DynamoDB's item-size rules: names plus
values; it carries the value, the stream sequence number and the item's sort key), so its
PutItem costs 1 WCU. Per progress write, with and without the feed:

${table(
  ['Progress write', 'RCU', 'WCU'],
  [
    ['Without the feed (the API PUT, measured in both runs)', formatUnits(apiRead), formatUnits(apiWrite)],
    ['With the feed, trickle (one change per batch)', formatUnits(apiRead + chosenTrickle.read), formatUnits(apiWrite + chosenTrickle.write)],
    ['With the feed, burst', formatUnits(apiRead + chosenBurst.read), formatUnits(apiWrite + chosenBurst.write)],
  ],
  ['l', 'r', 'r'],
)}

The feed adds ${formatUnits(worstFeedWrite)} WCU per progress write at worst (target ≤ ${FEED_EXTRA_WRITE_UNITS_TARGET}: ${feedWriteMet ? 'met' : 'not met'}) and between
${formatUnits(Math.min(chosenTrickle.read, chosenBurst.read))} and ${formatUnits(worstFeedRead)} RCU, depending on how many of a user's changes share a batch.

**The feed entries' own stream records.** Every feed entry is itself an INSERT on the table's
stream, which the router reads and ignores (no DynamoDB call), so the router reads two records
per change: ${feed.trickle.batches.records} and ${feed.burst.batches.records} records for the ${FEED_WRITES} changes of each run. The trickle took
${feed.trickle.batches.batches} invocations, ${feed.trickle.batches.ignoredOnlyBatches} of them holding only ignored records; the burst ${feed.burst.batches.batches}, ${feed.burst.batches.ignoredOnlyBatches} of them only
ignored records. In AWS, Lambda reads a DynamoDB stream at no charge; the price is those extra
invocations (a few ms each, no request units).

DynamoDB Local reports 0 RCU for a Query that finds nothing${chosenTrickle.read < 1 ? ` (here the user's first change,
whose last-entry Query finds an empty feed, hence ${formatUnits(chosenTrickle.read)} rather than 1 RCU per change in the trickle)` : ''}.
AWS charges such a Query all the same: 1 RCU when strongly consistent.

**Feed delay.** From the PUT's answer until a device polling \`GET /v1/changes\` every
${FEED_POLL_MS} ms first saw the change (trickle, n = ${delaySorted.length}): median ${ms(median(delaySorted))} ms, p95 ${ms(percentile(delaySorted, 95))} ms,
max ${ms(delaySorted.at(-1) ?? Number.NaN)} ms. Locally this is the poller's idle wait (100 ms between empty reads) plus
the router's work. In AWS, add the stream's propagation and the event source mapping's
batching window (up to ${streamRouterSettings.maxBatchingWindowSeconds} s); this local figure is not a forecast of that.

### The designs considered, measured

Each alternative was written for real against DynamoDB Local with \`ReturnConsumedCapacity\`
(items under a throwaway partition of the table; the LSI variants in a throwaway table that has
one, \`bySeq\` on \`(PK, seq)\`, projecting all attributes as a feed read from it needs). The
progress item in the transactions is ${feed.transactionItemBytes} bytes. "Documented" is what AWS's pricing rules
give for the same write: a write costs 1 WCU per KB, a transactional write 2 WCU per KB per item,
each write to a local index 1 WCU more, and changing an index key writes the index twice (delete
and put). The documentation does not say whether index writes are doubled inside a transaction
(DynamoDB Local doubles them), so those rows give a range.

${table(
  ['Design', 'Write', 'Reported WCU', 'Reported breakdown', 'Documented WCU', 'Documented as'],
  [
    ...feed.alternatives.map((a) => [a.design, a.operation, formatUnits(a.reported), a.breakdown, priceRange(a.documented), a.documentedHow]),
    [
      '**Numbering in the stream consumer (chosen)**',
      'progress write, one change per batch',
      formatUnits(apiWrite + chosenTrickle.write),
      `API ${formatUnits(apiWrite)} + feed entry ${formatUnits(chosenTrickle.write)}; plus ${formatUnits(chosenTrickle.read)} RCU for the last-entry Query`,
      '2',
      'API put 1 + feed entry put 1',
    ],
  ],
  ['l', 'l', 'r', 'l', 'r', 'l'],
)}

${
  misreported.length === 0
    ? 'DynamoDB Local reported the documented price for every alternative.'
    : `DynamoDB Local's figures differ from the documented price for ${misreported.map((a) => `"${a.design}, ${a.operation}" (${formatUnits(a.reported)} reported, ${priceRange(a.documented)} documented)`).join('; ')}. Its accounting is not AWS's billing; read the documented column as the price in AWS.`
}

## 6. Feed read cost

A device reading a user's feed of ${feedChanges} progress and watchlist changes from the start, in pages of
\`limit=${FEED_PAGE_SIZE}\` (\`GET /v1/changes?since=…\`, one strongly consistent Query per page). Units from the
handler's request log line; bytes are the response body.

${table(
  ['Page', 'Changes', 'Body bytes', 'RCU', 'DynamoDB calls', 'ms'],
  feed.feedPages.map((p, i) => [String(i + 1), String(p.changes), String(p.bytes), formatUnits(p.readUnits), String(p.requests), ms(p.ms)]),
  ['r', 'r', 'r', 'r', 'r', 'r'],
)}

A full page of ${FEED_PAGE_SIZE} changes: median ${median(fullPages.map((p) => p.bytes))} bytes and ${formatUnits(median(fullPages.map((p) => p.readUnits)))} RCU, that is
${formatUnits(feedPagesRead / Math.max(1, feedChanges))} RCU per change read. A poll that finds nothing new costs ${formatUnits(emptyPoll.readUnits)} RCU as DynamoDB Local
reports it (1 RCU in AWS, which charges a Query that finds nothing) and ${emptyPoll.bytes} bytes. A new device with no cursor first gets the user's current items (the
snapshot) and then the feed: for ${feed.snapshot.changes} items that took ${feed.snapshot.pages} requests with \`limit=1000\`,
${feed.snapshot.bytes} bytes and ${formatUnits(feed.snapshot.readUnits)} RCU.

## 7. Delta sync against full fetch

A user holds ${DELTA_HOLDINGS} watchlist items and ${DELTA_HOLDINGS} progress items (${2 * DELTA_HOLDINGS} items). A device has pulled
everything and kept the cursor. While it is away there are ${DELTA_CHANGES} changes: ${DELTA_CHANGES - 2} progress updates, one
title removed from the watchlist and one added. The bench waits until the router has numbered
them, then compares catching up through the feed (\`GET /v1/changes?since=<cursor>\`, one request)
with fetching both lists again (\`GET /v1/watchlist?limit=1000\` and \`GET /v1/progress?limit=1000\`).
Each was done ${DELTA_RUNS} times; the table shows medians. Bytes are response bodies; ms run from sending
until the body is read, through the local gateway.

${table(
  ['Fetch', 'Requests', 'Items', 'Body bytes', 'RCU', 'ms'],
  [
    ['Delta: `GET /v1/changes?since=…`', '1', String(feed.delta.changes), String(deltaMedian.bytes), formatUnits(deltaMedian.readUnits), ms(deltaMedian.ms)],
    ['Full: both lists', '2', String(feed.full.items), String(fullMedian.bytes), formatUnits(fullMedian.readUnits), ms(fullMedian.ms)],
    ['Delta as a share of full', '', '', pct(share.bytes), pct(share.readUnits), pct(share.ms)],
  ],
  ['l', 'r', 'r', 'r', 'r', 'r'],
)}

Target: the delta costs under ${DELTA_SHARE_TARGET * 100} % of the full fetch. Bytes: ${share.bytes < DELTA_SHARE_TARGET ? 'met' : 'not met'}; read units: ${share.readUnits < DELTA_SHARE_TARGET ? 'met' : 'not met'};
time: ${share.ms < DELTA_SHARE_TARGET ? 'met' : 'not met'}. On 127.0.0.1 a request has a fixed cost (HTTP, the JWT check, the
handler, a DynamoDB round trip): a feed poll that finds nothing takes ${ms(emptyPoll.ms)} ms (median of ${DELTA_RUNS})${
  emptyPoll.ms >= DELTA_SHARE_TARGET * fullMedian.ms
    ? `, so no single request can come under ${DELTA_SHARE_TARGET * 100} % of two requests that take ${ms(fullMedian.ms)} ms together`
    : ''
}. Over a real network the bytes, which the delta cuts to ${pct(share.bytes)}, weigh more.

${renderPodcasts(stack.podcasts)}
${renderMessages(stack.messages)}
${renderRouter(stack.router)}`;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const missingJava = javaMissingMessage();
  if (missingJava) throw new Error(missingJava);

  const startedAt = new Date();
  const loadAtStart = os.loadavg()[0] ?? 0;
  const started = performance.now();
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'playhead-bench-'));
  const budget = setTimeout(() => {
    console.error(`bench: over the ${TIME_BUDGET_MS / 1000} s budget; giving up`);
    rmSync(workDir, { recursive: true, force: true });
    process.exit(1);
  }, TIME_BUDGET_MS);
  budget.unref();

  try {
    note('building bundles');
    const bundles = await buildLambdaBundles(path.join(workDir, 'bundles'));
    note(`measuring cold init (${COLD_INIT_RUNS} runs × ${bundles.length} bundles)`);
    const coldInit = await measureColdInit(bundles);
    const stack = await measureAgainstLocalStack(path.join(workDir, 'state'));
    const elapsedS = (performance.now() - started) / 1000;
    writeFileSync(reportFile, render({ startedAt, loadAtStart, elapsedS, bundles, coldInit, stack }));
    note(`wrote ${path.relative(process.cwd(), reportFile)} in ${elapsedS.toFixed(0)} s`);
  } finally {
    clearTimeout(budget);
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().then(
  // The stopped stack's SDK clients may hold idle sockets; the run is over, so do not wait on them.
  () => process.exit(0),
  (error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
