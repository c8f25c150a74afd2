/**
 * Sections 5 to 7: what the change feed adds to a write, what it costs to read, and what a
 * device pays to catch up through it against fetching everything again.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mapConcurrently } from '../../lambdas/shared/concurrency';
import { streamRouterSettings } from '../../lib/consumers';
import { mintToken } from '../../local/local-auth';
import type { CapacityCapture, RequestLog, StreamBatchLog } from './capture';
import { bytesOf, FILL_CONCURRENCY, LIST_SIZE, note, type StackContext, STREAM_WAIT_MS } from './context';
import { formatUnits, median, metMark, ms, percentile, table } from './format';
import { sleep } from './support';

/** Progress writes on one user, once as a trickle and once as a burst, to price the change feed. */
const FEED_WRITES = 50;
/**
 * The feed may add at most this many write units to a progress write: compaction's budget, 3 in
 * all with the route's 1 (a new entry and the removal of the one it supersedes; 1 when the title
 * is the user's newest entry, §5a).
 */
const FEED_EXTRA_WRITE_UNITS_TARGET = 2;
/** A device polls the feed this often while it waits for a change to be numbered. */
const FEED_POLL_MS = 10;
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

export interface ChangesPageBody {
  changes: Array<{ seq: number; type: string; key: string; op: string }>;
  cursor: string;
  hasMore: boolean;
}

export interface BatchTotals {
  batches: number;
  /** Batches in which the router wrote at least one feed entry. */
  batchesWithEntries: number;
  records: number;
  feedEntries: number;
  readUnits: number;
  writeUnits: number;
  requests: number;
}

export interface FeedRun {
  label: string;
  how: string;
  /** The request log of every progress PUT. */
  api: RequestLog[];
  batches: BatchTotals;
}

/** One request and what it cost: body bytes, time until the body was read, request units. */
export interface Sample {
  bytes: number;
  ms: number;
  readUnits: number;
  requests: number;
}

export interface PageSample extends Sample {
  changes: number;
}

export interface FeedFigures {
  trickle: FeedRun;
  burst: FeedRun;
  /** PUT answered → the change first seen by a device polling GET /v1/changes. */
  delaysMs: number[];
  feedEntryBytes: number;
  feedPages: PageSample[];
  /** Polls that found nothing new (the fixed cost of one feed request). */
  emptyPolls: PageSample[];
  snapshot: { pages: number; changes: number; bytes: number; ms: number; readUnits: number };
  delta: { changes: number; samples: Sample[] };
  full: { items: number; samples: Sample[] };
}

/** Runs `fn` over `items` with at most `limit` calls in flight. */
const inParallel = async <T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<unknown>): Promise<void> => {
  await mapConcurrently(items, limit, fn);
};

export function totalsOf(batches: readonly StreamBatchLog[]): BatchTotals {
  return {
    batches: batches.length,
    batchesWithEntries: batches.filter((b) => b.feedEntries > 0).length,
    records: batches.reduce((sum, b) => sum + b.records, 0),
    feedEntries: batches.reduce((sum, b) => sum + b.feedEntries, 0),
    readUnits: batches.reduce((sum, b) => sum + b.dynamoReadUnits, 0),
    writeUnits: batches.reduce((sum, b) => sum + b.dynamoWriteUnits, 0),
    requests: batches.reduce((sum, b) => sum + b.dynamoRequests, 0),
  };
}

/** Waits until the stream router has gone `quietMs` without a batch (earlier work is done). */
export async function waitForStreamQuiet(capture: CapacityCapture, quietMs = 1000): Promise<void> {
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
 * Collects the stream router's batches until it has seen `changes` records. The feed entries'
 * own records are filtered out before the router (lib/stream-filter.ts) and nothing else writes
 * to the table meanwhile, so the count must match exactly; anything else means the figures are
 * not what they claim to be. Entries may be fewer than changes: a batch keeps one per item.
 */
export async function streamBatchesFor(capture: CapacityCapture, changes: number, what: string): Promise<BatchTotals> {
  const batches: StreamBatchLog[] = [];
  const deadline = performance.now() + STREAM_WAIT_MS;
  for (;;) {
    batches.push(...capture.takeBatches());
    const totals = totalsOf(batches);
    if (totals.records >= changes) {
      if (totals.records !== changes || totals.feedEntries > changes) {
        throw new Error(`${what}: expected ${changes} records and at most as many feed entries, the stream router reported ${JSON.stringify(totals)}`);
      }
      return totals;
    }
    if (performance.now() > deadline) throw new Error(`${what}: the stream router numbered too little in time: ${JSON.stringify(totals)}`);
    await sleep(20);
  }
}

/** DynamoDB's item size: attribute names plus values (numbers ≈ 1 byte per 2 digits + 1). */
export function dynamoItemBytes(item: Record<string, unknown>): number {
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

export async function measureChangeFeed(ctx: StackContext, assets: readonly string[]): Promise<FeedFigures> {
  const { expectStatus, capture, key } = ctx;

  /** One GET /v1/changes and the capacity report it produced. */
  async function changesPage(token: string, since: string | undefined, limit?: number): Promise<{ page: ChangesPageBody; sample: PageSample }> {
    const query = new URLSearchParams();
    if (since !== undefined) query.set('since', since);
    if (limit !== undefined) query.set('limit', String(limit));
    capture.take();
    const result = await expectStatus(200, 'GET', `/v1/changes${query.size > 0 ? `?${query}` : ''}`, token);
    const log = capture.take().find((l) => l.route === 'GET /v1/changes');
    if (log === undefined) throw new Error('GET /v1/changes made no capacity report');
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
    const assetId = assets[i % assets.length] as string;
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
    (i) => progressPut(feedUser, assets[i % assets.length] as string, 1000 + i),
  );
  const burst: FeedRun = {
    label: 'Burst',
    how: `${FEED_WRITES} writes, ${FILL_CONCURRENCY} in flight, then wait`,
    api: apiProgressLogs(),
    batches: await streamBatchesFor(capture, FEED_WRITES, 'burst'),
  };
  const burstKeys: string[] = [];
  for (let more = true; more; ) {
    const { page } = await changesPage(feedUser, cursor, 1000);
    burstKeys.push(...page.changes.map((c) => c.key));
    cursor = page.cursor;
    more = page.hasMore;
  }
  // Compacted: each title the burst wrote, once.
  const burstTitles = new Set(Array.from({ length: FEED_WRITES }, (_, i) => assets[i % assets.length])).size;
  if (burstKeys.length !== burstTitles || new Set(burstKeys).size !== burstTitles) throw new Error(`the burst left ${burstKeys.length} changes in the feed, not one for each of ${burstTitles} titles`);

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
      if (full.items !== 2 * DELTA_HOLDINGS || logs.length !== 2) throw new Error(`the full fetch returned ${full.items} items in ${logs.length} reported requests`);
      full.samples.push({
        bytes: lists.reduce((sum, l) => sum + bytesOf(l.text), 0),
        ms: lists.reduce((sum, l) => sum + l.elapsedMs, 0),
        readUnits: logs.reduce((sum, l) => sum + l.dynamoReadUnits, 0),
        requests: logs.reduce((sum, l) => sum + l.dynamoRequests, 0),
      });
    }

    return { trickle, burst, delaysMs, feedEntryBytes, feedPages, emptyPolls, snapshot, delta, full };
  } finally {
    raw.destroy();
  }
}

/** The figures the feed's sections and the targets table derive from the measurements. */
export function feedDerived(feed: FeedFigures) {
  const runs = [feed.trickle, feed.burst];
  const feedApi = runs.flatMap((r) => r.api);
  const apiWrite = Math.max(...feedApi.map((l) => l.dynamoWriteUnits));
  const apiRead = Math.max(...feedApi.map((l) => l.dynamoReadUnits));
  const perChange = (r: FeedRun) => ({ write: r.batches.writeUnits / r.batches.records, read: r.batches.readUnits / r.batches.records });
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
  const chosenTrickle = perChange(feed.trickle);
  const chosenBurst = perChange(feed.burst);
  const emptyPoll = { bytes: median(feed.emptyPolls.map((p) => p.bytes)), ms: median(feed.emptyPolls.map((p) => p.ms)), readUnits: median(feed.emptyPolls.map((p) => p.readUnits)) };
  return { runs, apiWrite, apiRead, perChange, worstFeedWrite, worstFeedRead, feedWriteMet, delaySorted, deltaMedian, fullMedian, share, pct, fullPages, feedChanges, feedPagesRead, chosenTrickle, chosenBurst, emptyPoll };
}

/** The feed's rows of the targets table. */
export function feedTargetRows(feed: FeedFigures): string[][] {
  const { worstFeedWrite, worstFeedRead, chosenTrickle, chosenBurst, feedWriteMet, deltaMedian, fullMedian, share, pct } = feedDerived(feed);
  return [
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
  ];
}

export function renderFeedPrice(feed: FeedFigures): string {
  const { runs, apiWrite, apiRead, perChange, worstFeedWrite, worstFeedRead, feedWriteMet, delaySorted, chosenTrickle, chosenBurst } = feedDerived(feed);
  return `## 5. Price of the change feed

API writes are unchanged by the feed: the progress PUT is still one PutItem plus the catalog
check. The feed is written by the stream router (lambdas/sync/feed-writer.ts): for each user in
a batch, one strongly consistent Query of the user's newest entries, then one PutItem per
item changed, and a removal of any entry among them that a new one supersedes (docs/SYNC.md). Its cost is read from the router's \`stream batch\` capacity report, which
carries the request units of every DynamoDB call the batch made. One user wrote ${FEED_WRITES} progress
updates over ${LIST_SIZE} titles in turn, twice: as a trickle, each write sent only once the previous one was visible in
\`GET /v1/changes\`, so every batch holds one change (the worst case: the Query is paid per
change), and as a burst, whose writes of one title in one batch share an entry. §5a has the
cost when one title is written again and again. The local poller hands the router up to ${streamRouterSettings.batchSize} records per batch with
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

**The feed entries' own stream records** are filtered out before the router (lib/stream-filter.ts,
the event source mapping's filter in AWS and the local poller alike), so the router reads one
record per change: ${feed.trickle.batches.records} and ${feed.burst.batches.records} records for the ${FEED_WRITES} changes of each run, in ${feed.trickle.batches.batches} and
${feed.burst.batches.batches} invocations. Lambda bills no invocation for filtered records.

DynamoDB Local reports 0 RCU for a Query that finds nothing${chosenTrickle.read < 1 ? ` (here the user's first change,
whose Query of the newest entries finds an empty feed, hence ${formatUnits(chosenTrickle.read)} rather than 1 RCU per change in the trickle)` : ''}.
AWS charges such a Query all the same: 1 RCU when strongly consistent.

**Feed delay.** From the PUT's answer until a device polling \`GET /v1/changes\` every
${FEED_POLL_MS} ms first saw the change (trickle, n = ${delaySorted.length}): median ${ms(median(delaySorted))} ms, p95 ${ms(percentile(delaySorted, 95))} ms,
max ${ms(delaySorted.at(-1) ?? Number.NaN)} ms. Locally this is the poller's idle wait (100 ms between empty reads) plus
the router's work. In AWS, add the stream's propagation and the event source mapping's
batching window (up to ${streamRouterSettings.maxBatchingWindowSeconds} s); this local figure is not a forecast of that.`;
}

export function renderFeedRead(feed: FeedFigures): string {
  const { fullPages, feedChanges, feedPagesRead, emptyPoll } = feedDerived(feed);
  return `## 6. Feed read cost

A device reading a user's feed of ${feedChanges} progress and watchlist changes from the start, in pages of
\`limit=${FEED_PAGE_SIZE}\` (\`GET /v1/changes?since=…\`, one strongly consistent Query per page). Units from the
request's capacity report; bytes are the response body.

${table(
  ['Page', 'Changes', 'Body bytes', 'RCU', 'DynamoDB calls', 'ms'],
  feed.feedPages.map((p, i) => [String(i + 1), String(p.changes), String(p.bytes), formatUnits(p.readUnits), String(p.requests), ms(p.ms)]),
  ['r', 'r', 'r', 'r', 'r', 'r'],
)}

A full page of ${FEED_PAGE_SIZE} changes: median ${median(fullPages.map((p) => p.bytes))} bytes and ${formatUnits(median(fullPages.map((p) => p.readUnits)))} RCU, that is
${formatUnits(feedPagesRead / Math.max(1, feedChanges))} RCU per change read. A poll that finds nothing new costs ${formatUnits(emptyPoll.readUnits)} RCU as DynamoDB Local
reports it (1 RCU in AWS, which charges a Query that finds nothing) and ${emptyPoll.bytes} bytes. A new device with no cursor first gets the user's current items (the
snapshot) and then the feed: for ${feed.snapshot.changes} items that took ${feed.snapshot.pages} requests with \`limit=1000\`,
${feed.snapshot.bytes} bytes and ${formatUnits(feed.snapshot.readUnits)} RCU.`;
}

export function renderDeltaSync(feed: FeedFigures): string {
  const { deltaMedian, fullMedian, share, pct, emptyPoll } = feedDerived(feed);
  return `## 7. Delta sync against full fetch

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
}. Over a real network the bytes, which the delta cuts to ${pct(share.bytes)}, weigh more.`;
}
