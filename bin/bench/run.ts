/**
 * `npm run bench`: measures the targets docs/BENCHMARKS.md lists and overwrites that file.
 * Everything runs on this machine and talks only to 127.0.0.1: the deployable bundles are
 * built into a temporary directory, and the local stack (DynamoDB Local, SQS/S3 emulator,
 * gateway) runs in this process on free ports with its own state, removed at the end.
 *
 * One module per measurement (bundles, latency, units, feed, compaction with the price of a
 * progress write, feed-designs, podcasts with the catalog diff, messages with their monthly cost,
 * router); each renders its own sections and
 * report.ts puts them in order. Request units come from the capacity meter (capture.ts).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { javaMissingMessage } from '../../local/java';
import { type BuiltBundle, buildLambdaBundles } from '../../local/lambda-bundles';
import { loadOrCreateSigningKey, mintToken } from '../../local/local-auth';
import { repoRoot, stateFiles } from '../../local/paths';
import { measureColdInit } from './bundles';
import { captureCapacity } from './capture';
import { measureClient } from './client';
import { ASSET_DURATION_SECONDS, type Call, COLD_INIT_RUNS, note, REQUEST_TIMEOUT_MS, type StackContext } from './context';
import { measureCompaction } from './compaction';
import { type DaxFigures, measureDax, renderDax } from './dax';
import { measureChangeFeed } from './feed';
import { measureFeedDesigns } from './feed-designs';
import { type GpodderFigures, measureGpodder, renderGpodder } from './gpodder';
import { measureLatency } from './latency';
import { measureMessages } from './messages';
import { measurePodcasts } from './podcasts';
import { measurePush, type PushFigures, renderPush } from './push';
import { type Figures, renderReport } from './report';
import { measureRouter } from './router';
import { measureUnits } from './units';

/** The whole run must stay well inside seven minutes, even on a slow machine. */
const TIME_BUDGET_MS = 420_000;

const reportFile = path.join(repoRoot, 'docs', 'BENCHMARKS.md');
/** The push section is measured with the rest and appended after the report (bin/bench/push.ts). */
let pushFigures: PushFigures | undefined;
/** The catalog read path's section likewise (bin/bench/dax.ts). */
let daxFigures: DaxFigures | undefined;
/** The gpodder section likewise (bin/bench/gpodder.ts). */
let gpodderFigures: GpodderFigures | undefined;

type StackFigures = Omit<Figures, 'startedAt' | 'loadAtStart' | 'elapsedS' | 'bundles' | 'coldInit'>;

/** Starts the local stack, runs every measurement against it in turn, and stops it. */
async function measureAgainstLocalStack(stateDir: string, bundles: readonly BuiltBundle[]): Promise<StackFigures> {
  // The logger reads its settings when the handlers load, which startLocalStack does. The
  // figures come from the capacity meter, so the handlers' INFO lines are not needed here.
  process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
  // Nor the business metrics' EMF lines, thousands of them in one run (lambdas/shared/metrics.ts).
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  delete process.env.POWERTOOLS_DEV;
  const { startLocalStack } = await import('../../local/stack');
  const capture = captureCapacity();
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

    const ctx: StackContext = {
      call,
      expectStatus,
      capture,
      key,
      publisher,
      endpoints: stack.endpoints,
      newAsset: () => ({ title: `Bench title ${randomUUID().slice(0, 8)}`, durationSeconds: ASSET_DURATION_SECONDS }),
    };

    note('measuring request units per operation');
    const { units, assets } = await measureUnits(ctx);
    const latency = await measureLatency(ctx, assets);
    const feed = await measureChangeFeed(ctx, assets);
    const compaction = await measureCompaction(ctx, assets);
    note('measuring the alternative designs directly against DynamoDB Local');
    const feedDesigns = await measureFeedDesigns(stack.endpoints);
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
    note('measuring the client SDK');
    const client = await measureClient(ctx);
    pushFigures = await measurePush(ctx);
    daxFigures = await measureDax(ctx, path.dirname(stateDir), bundles);
    gpodderFigures = await measureGpodder(ctx);
    return { latency, units, feed, compaction, feedDesigns, podcasts, messages, router, client };
  } finally {
    if (stack) {
      note('stopping the local stack');
      await stack.stop();
    }
    capture.restore();
  }
}

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
    const measured = await measureAgainstLocalStack(path.join(workDir, 'state'), bundles);
    const elapsedS = (performance.now() - started) / 1000;
    const pushSection = pushFigures === undefined ? '' : `\n${renderPush(pushFigures, bundles, coldInit)}`;
    const daxSection = daxFigures === undefined ? '' : `\n${renderDax(daxFigures)}`;
    const gpodderSection = gpodderFigures === undefined ? '' : `\n${renderGpodder(gpodderFigures)}`;
    writeFileSync(reportFile, renderReport({ startedAt, loadAtStart, elapsedS, bundles, coldInit, ...measured }) + pushSection + daxSection + gpodderSection);
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
