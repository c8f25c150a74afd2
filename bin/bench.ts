/**
 * `npm run bench`: measures what DESIGN.md §7 asks for and overwrites docs/BENCHMARKS.md.
 * Everything runs on this machine and talks only to 127.0.0.1: the deployable bundles are
 * built into a temporary directory, and the local stack (DynamoDB Local, SQS/S3 emulator,
 * gateway) runs in this process on free ports with its own state, removed at the end.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lambdaRuntimeTarget } from '../lib/bundling';
import { BUCKET_NAME_ENV, queueDefinitions, TABLE_NAME_ENV } from '../lib/queue-definitions';
import { BUNDLE_SIZE_TARGET_BYTES, type BuiltBundle, buildLambdaBundles, runBundleInNode } from '../local/lambda-bundles';
import { javaMissingMessage } from '../local/java';
import { loadOrCreateSigningKey, mintToken } from '../local/local-auth';
import { repoRoot, stateFiles } from '../local/paths';

/** The whole run must stay well inside three minutes, even on a slow machine. */
const TIME_BUDGET_MS = 170_000;
const COLD_INIT_RUNS = 5;
const WARM_UP_REQUESTS = 20;
const MEASURED_REQUESTS = 300;
/** Items a user holds when a list route is measured. */
const LIST_SIZE = 20;
/** Long enough for every progress value the bench writes. */
const ASSET_DURATION_SECONDS = 7200;
const REQUEST_TIMEOUT_MS = 10_000;

const PROGRESS_PUT_TARGET = { writeUnits: 1, readUnits: 1 };

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
  // Round-robin rather than bundle by bundle, so a burst of machine noise spreads over all.
  for (let run = 0; run < COLD_INIT_RUNS; run++) {
    for (const result of results) {
      const { importMs } = await runBundleInNode(result.bundle.file, { env });
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

/**
 * The handlers run in this process and log one JSON `request` line per call on stdout, with
 * the request units DynamoDB reported. Reading those lines measures the unchanged handlers.
 * Other INFO lines are dropped, so the bench's own output stays readable; anything else
 * written to stdout (warnings, errors, plain text) passes through.
 */
function captureRequestLogs(): { take(): RequestLog[]; restore(): void } {
  const stdout = process.stdout;
  const original = stdout.write;
  let captured: RequestLog[] = [];
  let partial = '';
  stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    const text = partial + (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    const passThrough: string[] = [];
    for (const line of lines) {
      const log = parseRequestLog(line);
      if (log) captured.push(log);
      // The stream router logs every batch at INFO: hundreds of lines per run.
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

// ---------------------------------------------------------------------------------------------
// c. Latency and d. request units, against the local stack

interface Call {
  status: number;
  text: string;
  elapsedMs: number;
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
      return { status: response.status, text, elapsedMs: performance.now() - started };
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
    return { latency, units };
  } finally {
    if (stack) {
      note('stopping the local stack');
      await stack.stop();
    }
    capture.restore();
  }
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
  const oversize = bundles.filter((b) => b.bytes > BUNDLE_SIZE_TARGET_BYTES);
  const largest = [...bundles].sort((a, b) => b.bytes - a.bytes)[0];
  const progressPuts = stack.units.filter((u) => u.request === 'PUT /v1/progress/{assetId}');
  const maxProgressWrite = Math.max(...progressPuts.map((u) => u.log.dynamoWriteUnits));
  const maxProgressRead = Math.max(...progressPuts.map((u) => u.log.dynamoReadUnits));
  const coldMedians = coldInit.map((c) => median(c.samplesMs));
  const putLatency = stack.latency[0];

  const contributors = largest
    ? Object.entries(largest.bytesByPackage)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 6)
        .map(([name, bytes]) => [`\`${name}\``, kb(bytes), `${Math.round((bytes / largest.bytes) * 100)} %`])
    : [];

  return `# Benchmarks

Measured figures for the checks in DESIGN.md §7: how big the deployable Lambda bundles are, how
long they take to load, how fast the hot routes answer through the local gateway, and how many
DynamoDB request units each operation consumes. \`npm run bench\` (bin/bench.ts) produced this
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
      `Every bundle ≤ ${targetKb}`,
      oversize.length === 0 ? `largest ${kb(largest?.bytes ?? 0)} KB` : `${oversize.length} of ${bundles.length} over; largest ${largest?.id} at ${kb(largest?.bytes ?? 0)} KB`,
      metMark(oversize.length === 0),
    ],
    [
      `Progress PUT ≤ ${PROGRESS_PUT_TARGET.writeUnits} WCU (item < 1 KB)`,
      `${formatUnits(maxProgressWrite)} WCU`,
      metMark(maxProgressWrite <= PROGRESS_PUT_TARGET.writeUnits),
    ],
    [`Progress PUT ≤ ${PROGRESS_PUT_TARGET.readUnits} RCU`, `${formatUnits(maxProgressRead)} RCU`, metMark(maxProgressRead <= PROGRESS_PUT_TARGET.readUnits)],
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
  ['Function', 'Invoked by', 'Minified KB', `≤ ${targetKb}`],
  bundles.map((b) => [b.id, `\`${b.trigger}\``, kb(b.bytes), b.bytes > BUNDLE_SIZE_TARGET_BYTES ? '❌ over' : '✅']),
  ['l', 'l', 'r', 'l'],
)}

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

## Not measured yet

- Delta sync against full fetch (DESIGN.md §7): there is no change-feed route yet; the bench
  gains this section when there is.
- The change feed's extra cost per progress write (DESIGN.md §4, at most one more WCU): the
  progress figures above are without a feed.
`;
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
