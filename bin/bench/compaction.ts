/**
 * The compacted change feed (docs/SYNC.md, "Compaction"): what a device catching up receives
 * after long runs of progress writes, how many entries a title keeps, and what a progress write
 * costs with compaction, one change per router batch (the trickle a viewer makes) for one title
 * and for two titles alternating. The price section (price.ts) prices these figures.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { COMPACTION_WINDOW } from '../../lambdas/sync/feed-entry';
import { mintToken } from '../../local/local-auth';
import type { RequestLog, StreamBatchLog } from './capture';
import { bytesOf, note, type StackContext, STREAM_WAIT_MS } from './context';
import { dynamoItemBytes, waitForStreamQuiet } from './feed';
import { formatUnits, median, metMark, ms, table } from './format';
import { drainStream, sleep } from './support';

/** Catch-up after this many progress writes to one title (30 min and 2 h at one write every 5 s)… */
const CATCH_UP_WRITES = [360, 1440] as const;
/** …and after this many alternating between two titles. */
const ALTERNATING_WRITES = 1440;
/** Targets: at most this many changes and bytes for one title, this many for two. */
const ONE_TITLE_CHANGES = 2;
const ONE_TITLE_BYTES = 2048;
const TWO_TITLE_CHANGES = 4;
/** Feed entries one title may keep after a two-hour run. */
const STORED_ENTRIES = 3;
/** Per progress write, API and feed together, as DynamoDB Local reports them. */
const WRITE_UNITS_TARGET = 3;
const READ_UNITS_TARGET = 1.5;
/** Progress writes measured one per router batch. */
const TRICKLE_WRITES = 40;
/** Seconds between progress writes while a title plays (the client's default is 15 s; a plain app may send every 5 s). */
export const SECONDS_BETWEEN_WRITES = 5;

export interface CatchUp {
  label: string;
  writes: number;
  titles: number;
  changes: number;
  pages: number;
  bytes: number;
}

/** What one progress write cost, averaged over a trickle run (each write alone in its router batch). */
export interface PerWrite {
  label: string;
  writes: number;
  /** Router invocations (batches) per write. */
  invocations: number;
  apiRead: number;
  apiWrite: number;
  routerRead: number;
  routerWrite: number;
  /** Median handler time of the PUT and of the router's batch. */
  apiMs: number;
  routerMs: number;
  /** SendMessageBatch calls per write. */
  queueRequests: number;
  entriesRemoved: number;
  changeNotices: number;
}

export interface CompactionFigures {
  catchUps: CatchUp[];
  storage: { writes: number; entries: number; entryBytes: number };
  trickle: PerWrite[];
  /** Bytes of one log line as the logger writes it: a route's `request` line and the router's `stream batch` line. */
  logLineBytes: { request: number; streamBatch: number };
}

interface PageBody {
  changes: Array<{ key: string; value?: { progress?: number } }>;
  cursor: string;
  hasMore: boolean;
}

export async function measureCompaction(ctx: StackContext, assets: readonly string[]): Promise<CompactionFigures> {
  const { expectStatus, capture, key } = ctx;
  const [first, second] = assets as [string, string];
  const page = async (token: string, since?: string) => {
    const result = await expectStatus(200, 'GET', `/v1/changes${since === undefined ? '' : `?since=${encodeURIComponent(since)}`}`, token);
    return { body: JSON.parse(result.text) as PageBody, bytes: bytesOf(result.text) };
  };
  const put = (token: string, assetId: string, progress: number) => expectStatus(200, 'PUT', `/v1/progress/${assetId}`, token, { progress });
  const progressOf = (body: PageBody, assetId: string) => body.changes.filter((c) => c.key === assetId).at(-1)?.value?.progress;

  /** Every page from `since` to the end: what a device that was away receives. */
  async function catchUpFrom(token: string, since: string): Promise<{ changes: PageBody['changes']; pages: number; bytes: number; cursor: string }> {
    const changes: PageBody['changes'] = [];
    let pages = 0;
    let bytes = 0;
    let cursor = since;
    for (let more = true; more; ) {
      const { body, bytes: size } = await page(token, cursor);
      changes.push(...body.changes);
      pages += 1;
      bytes += size;
      cursor = body.cursor;
      more = body.hasMore;
    }
    return { changes, pages, bytes, cursor };
  }

  async function run(label: string, titles: readonly string[], writes: number): Promise<{ catchUp: CatchUp; userId: string }> {
    const userId = `bench-compaction-${randomUUID()}`;
    const token = await mintToken(key, { userId });
    const start = (await page(token)).body.cursor;
    note(`compaction: ${writes} progress writes, ${label}`);
    for (let i = 0; i < writes; i++) await put(token, titles[i % titles.length] as string, i + 1);
    // Until the router has numbered the last write of every title.
    const finals = titles.map((_, t) => writes - ((writes - 1 - t) % titles.length));
    const deadline = performance.now() + STREAM_WAIT_MS;
    for (;;) {
      const { changes } = await catchUpFrom(token, start);
      if (titles.every((title, t) => changes.filter((c) => c.key === title).at(-1)?.value?.progress === finals[t])) break;
      if (performance.now() > deadline) throw new Error(`compaction ${label}: the feed never showed the last writes`);
      await sleep(100);
    }
    const caught = await catchUpFrom(token, start);
    return { userId, catchUp: { label, writes, titles: titles.length, changes: caught.changes.length, pages: caught.pages, bytes: caught.bytes } };
  }

  await waitForStreamQuiet(capture);
  const catchUps: CatchUp[] = [];
  let twoHourUser = '';
  for (const writes of CATCH_UP_WRITES) {
    const result = await run(`one title, ${writes} writes`, [first], writes);
    catchUps.push(result.catchUp);
    twoHourUser = result.userId;
  }
  catchUps.push((await run(`two titles alternating, ${ALTERNATING_WRITES} writes`, [first, second], ALTERNATING_WRITES)).catchUp);

  const raw = new DynamoDBClient({ endpoint: ctx.endpoints.dynamodb, region: ctx.endpoints.region, credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  let storage: CompactionFigures['storage'];
  try {
    const entries = (
      await DynamoDBDocumentClient.from(raw).send(
        new QueryCommand({
          TableName: ctx.endpoints.tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :feed)',
          ExpressionAttributeValues: { ':pk': `USER#${twoHourUser}`, ':feed': 'FEED#' },
          ConsistentRead: true,
        }),
      )
    ).Items ?? [];
    const ofTitle = entries.filter((e) => e.key === first);
    storage = { writes: CATCH_UP_WRITES[1], entries: ofTitle.length, entryBytes: Math.max(0, ...ofTitle.map((e) => dynamoItemBytes(e))) };
  } finally {
    raw.destroy();
  }

  /** Writes one at a time, each sent once the previous is in the feed, so every router batch holds one change. */
  const lines: { request?: RequestLog; batch?: StreamBatchLog } = {};
  async function trickle(label: string, titles: readonly string[]): Promise<PerWrite> {
    const token = await mintToken(key, { userId: `bench-trickle-${randomUUID()}` });
    let cursor = (await page(token)).body.cursor;
    // The title is already playing: the first write of each, made before counting, creates its item and entry.
    for (const [t, title] of titles.entries()) await put(token, title, t + 1);
    await waitForStreamQuiet(capture);
    cursor = (await catchUpFrom(token, cursor)).cursor;
    capture.take();
    capture.takeBatches();
    const api: RequestLog[] = [];
    const batches: StreamBatchLog[] = [];
    note(`compaction: ${TRICKLE_WRITES} progress writes one per router batch, ${label}`);
    for (let i = 0; i < TRICKLE_WRITES; i++) {
      const title = titles[i % titles.length] as string;
      const progress = 100 + i;
      await put(token, title, progress);
      api.push(...capture.take().filter((l) => l.route === 'PUT /v1/progress/{assetId}'));
      const sent = performance.now();
      for (;;) {
        const { body } = await page(token, cursor);
        if (progressOf(body, title) === progress) {
          cursor = body.cursor;
          break;
        }
        if (performance.now() - sent > STREAM_WAIT_MS) throw new Error(`trickle ${label}: write ${i} never reached the feed`);
        await sleep(10);
      }
      batches.push(...capture.takeBatches());
    }
    batches.push(...(await drainStream(capture)));
    const records = batches.reduce((sum, b) => sum + b.records, 0);
    // The feed's own records are filtered before the router: one record per write, nothing else.
    if (records !== TRICKLE_WRITES) throw new Error(`trickle ${label}: the router saw ${records} records for ${TRICKLE_WRITES} writes`);
    lines.request = api.at(-1);
    lines.batch = batches.filter((b) => b.feedEntries > 0).at(-1);
    const sum = (of: (b: StreamBatchLog) => number) => batches.reduce((total, b) => total + of(b), 0) / TRICKLE_WRITES;
    const apiAverage = (of: (l: RequestLog) => number) => api.reduce((total, l) => total + of(l), 0) / api.length;
    return {
      label,
      writes: TRICKLE_WRITES,
      invocations: batches.length / TRICKLE_WRITES,
      apiRead: apiAverage((l) => l.dynamoReadUnits),
      apiWrite: apiAverage((l) => l.dynamoWriteUnits),
      routerRead: sum((b) => b.dynamoReadUnits),
      routerWrite: sum((b) => b.dynamoWriteUnits),
      apiMs: median(api.map((l) => l.durationMs)),
      routerMs: median(batches.map((b) => b.durationMs)),
      queueRequests: sum((b) => b.queueRequests),
      entriesRemoved: sum((b) => b.feedEntriesRemoved),
      changeNotices: sum((b) => b.changeNotices),
    };
  }
  const trickleRuns = [await trickle('one title playing', [first]), await trickle('two titles alternating', [first, second])];

  // The last PUT's and the last batch's lines, written again by a logger set up as the handlers' (lambdas/shared/logger.ts) with INFO on.
  if (!lines.request || !lines.batch) throw new Error('compaction: no request or batch line was captured');
  const logLineBytes = { request: loggedBytes('request', { ...lines.request }), streamBatch: loggedBytes('stream batch', { ...lines.batch }) };
  return { catchUps, storage, trickle: trickleRuns, logLineBytes };
}

/** Bytes the handlers' logger writes for one line with these fields. */
function loggedBytes(message: string, fields: Record<string, unknown>): number {
  const logger = new Logger({ serviceName: 'playhead', logLevel: 'INFO' });
  const write = process.stdout.write;
  let bytes = 0;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    return true;
  }) as typeof process.stdout.write;
  try {
    logger.info(message, fields);
  } finally {
    process.stdout.write = write;
  }
  return bytes;
}

export function compactionTargetRows(figures: CompactionFigures): string[][] {
  const one = figures.catchUps.filter((c) => c.titles === 1);
  const two = figures.catchUps.find((c) => c.titles === 2);
  const worstWrite = Math.max(...figures.trickle.map((t) => t.apiWrite + t.routerWrite));
  const worstRead = Math.max(...figures.trickle.map((t) => t.apiRead + t.routerRead));
  return [
    ...one.map((c) => [
      `Catch-up after ${c.writes} progress writes to one title: ≤ ${ONE_TITLE_CHANGES} changes and ≤ ${ONE_TITLE_BYTES / 1024} KB (§5a)`,
      `${c.changes} change${c.changes === 1 ? '' : 's'}, ${c.bytes} bytes`,
      metMark(c.changes <= ONE_TITLE_CHANGES && c.bytes <= ONE_TITLE_BYTES),
    ]),
    ...(two ? [[`Catch-up after ${two.writes} writes alternating between 2 titles: ≤ ${TWO_TITLE_CHANGES} changes (§5a)`, `${two.changes} changes, ${two.bytes} bytes`, metMark(two.changes <= TWO_TITLE_CHANGES)]] : []),
    [`Feed storage after a two-hour title: ≤ ${STORED_ENTRIES} entries (§5a)`, `${figures.storage.entries} after ${figures.storage.writes} writes`, metMark(figures.storage.entries <= STORED_ENTRIES)],
    [
      `A progress write with compaction: ≤ ${WRITE_UNITS_TARGET} WCU and ≤ ${READ_UNITS_TARGET} RCU in all (§5a)`,
      figures.trickle.map((t) => `${t.label}: ${formatUnits(t.apiWrite + t.routerWrite)} WCU, ${formatUnits(t.apiRead + t.routerRead)} RCU`).join('; '),
      metMark(worstWrite <= WRITE_UNITS_TARGET && worstRead <= READ_UNITS_TARGET),
    ],
  ];
}

export function renderCompaction(figures: CompactionFigures): string {
  return `## 5a. Compaction: one entry per item

What a device that was away receives through \`GET /v1/changes\` after runs of progress writes,
written one after another as fast as the local stack takes them (so the router sees them both
alone and many to a batch). The feed keeps each item's latest change once: the newest entry
takes the next change of its own item in place, an entry among a user's newest ${COMPACTION_WINDOW} that a newer
one of the same item supersedes is removed, and a page never holds an item twice (docs/SYNC.md,
"Compaction"). Before compaction, 360 writes to one title were 360 changes in 4 pages, 91,330 bytes.

${table(
  ['Run', 'Writes', 'Changes received', 'Pages', 'Body bytes'],
  figures.catchUps.map((c) => [c.label, String(c.writes), String(c.changes), String(c.pages), String(c.bytes)]),
  ['l', 'r', 'r', 'r', 'r'],
)}

After ${figures.storage.writes} writes to one title (two hours at one every ${SECONDS_BETWEEN_WRITES} s) the feed holds ${figures.storage.entries} entr${figures.storage.entries === 1 ? 'y' : 'ies'} for it
(${figures.storage.entryBytes} bytes by DynamoDB's item-size rules), where it held one per write before.

**What a progress write costs with compaction**, each write sent once the previous one was in the
feed, so every router batch holds one change (the worst case, and the one a viewer makes: one
write every few seconds). Units from the capacity reports of the PUT and of the router's batches.
The feed entries' own stream records are filtered out before the router (lib/stream-filter.ts),
so each write is one record and one invocation.

${table(
  ['Title(s)', 'Writes', 'API RCU', 'API WCU', 'Router RCU', 'Router WCU', 'Total RCU', 'Total WCU', 'Entries removed', 'Router invocations', 'SQS calls', 'PUT ms', 'Router ms'],
  figures.trickle.map((t) => [
    t.label,
    String(t.writes),
    formatUnits(t.apiRead),
    formatUnits(t.apiWrite),
    formatUnits(t.routerRead),
    formatUnits(t.routerWrite),
    formatUnits(t.apiRead + t.routerRead),
    formatUnits(t.apiWrite + t.routerWrite),
    formatUnits(t.entriesRemoved),
    formatUnits(t.invocations),
    formatUnits(t.queueRequests),
    ms(t.apiMs),
    ms(t.routerMs),
  ]),
  ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
)}

One title playing costs what a write cost before compaction: the entry is rewritten in place (1
WCU) and nothing is removed. Two titles alternating cost one more WCU per write: a new entry and
the removal of the one it supersedes. The PUT itself is unchanged (the API does not touch the
feed); its latency is in §3. SQS calls per write are the \`viewed\` analytics event; a batch in
which a user changed only progress sends no \`changes\` notice (progress never wakes a device).`;
}
