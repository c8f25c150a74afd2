/**
 * The all-in price of one progress write at us-east-1 list prices, line by line, from what the
 * bench measured: the route's request units and handler time, the router's units, invocations
 * and time per write (one change per batch, and batches of 100 from the router section), the
 * SQS calls as sent, and the bytes of the log lines. Beside it, the per-write prices of the
 * services a team would compare.
 */
import { randomUUID } from 'node:crypto';
import { functionSettings } from '../../lib/function-settings';
import { type CompactionFigures, type PerWrite, SECONDS_BETWEEN_WRITES } from './compaction';
import { formatUnits, metMark, table } from './format';
import { money, PRICES } from './prices';
import type { RouterFigures } from './router';

/** The goal for the trickle figure, per million progress writes. */
const TRICKLE_GOAL = 3.0;
const MILLION = 1_000_000;
const GB = 2 ** 30;
/** Titles a viewer plays in a month, for the storage line. */
const TITLES_PER_VIEWER_MONTH = 60;
/** Viewing a day for the storage line's comparison with one entry per write. */
const VIEWING_HOURS_PER_DAY = 2;
const RETENTION_DAYS = 30;

/** Lambda's platform lines in its text format, as it writes them for one invocation (none from system log level WARN). */
function platformLineBytes(durationMs: number): number {
  const id = randomUUID();
  const billed = Math.ceil(durationMs);
  return Buffer.byteLength(
    `START RequestId: ${id} Version: $LATEST\n` +
      `END RequestId: ${id}\n` +
      `REPORT RequestId: ${id}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${billed} ms\tMemory Size: ${functionSettings.memoryMb} MB\tMax Memory Used: 96 MB\t\n`,
  );
}

/** What one progress write brings about, per write. */
interface WriteShape {
  label: string;
  routerInvocations: number;
  routerMs: number;
  routerRead: number;
  routerWrite: number;
  queueRequests: number;
  routerLogBytes: number;
}

interface Line {
  item: string;
  basis: string;
  perMillion: number;
}

const lambdaSeconds = (ms: number) => Math.ceil(ms) / 1000;
const gbSeconds = (ms: number) => lambdaSeconds(ms) * (functionSettings.memoryMb / 1024);

function linesFor(api: PerWrite, shape: WriteShape, logLines: { request: number }, platformLines: boolean): Line[] {
  const invocations = 1 + shape.routerInvocations;
  const duration = gbSeconds(api.apiMs) + shape.routerInvocations * gbSeconds(shape.routerMs);
  const platform = platformLines ? platformLineBytes(api.apiMs) + shape.routerInvocations * platformLineBytes(shape.routerMs) : 0;
  const logBytes = logLines.request + shape.routerLogBytes + platform;
  return [
    { item: 'API Gateway (HTTP API)', basis: '1 request', perMillion: PRICES.apiGatewayPerMillion },
    { item: 'Lambda requests', basis: `1 route + ${formatUnits(shape.routerInvocations)} router invocations`, perMillion: invocations * PRICES.lambdaRequestsPerMillion },
    {
      item: `Lambda duration (arm64, ${functionSettings.memoryMb} MB)`,
      basis: `${Math.ceil(api.apiMs)} ms route + ${formatUnits(shape.routerInvocations)} × ${Math.ceil(shape.routerMs)} ms router, billed per ms`,
      perMillion: duration * MILLION * PRICES.lambdaArmGbSecond,
    },
    {
      item: 'DynamoDB writes',
      basis: `${formatUnits(api.apiWrite)} WCU route + ${formatUnits(shape.routerWrite)} WCU feed`,
      perMillion: (api.apiWrite + shape.routerWrite) * PRICES.dynamoWritePerMillion,
    },
    {
      item: 'DynamoDB reads',
      basis: `${formatUnits(api.apiRead)} RCU route + ${formatUnits(shape.routerRead)} RCU feed`,
      perMillion: (api.apiRead + shape.routerRead) * PRICES.dynamoReadPerMillion,
    },
    { item: 'SQS', basis: `${formatUnits(shape.queueRequests)} SendMessageBatch calls (the viewed event, ten to a call when batched)`, perMillion: shape.queueRequests * PRICES.sqsPerMillion },
    {
      item: 'CloudWatch Logs',
      basis: `${Math.round(logBytes)} bytes: request line ${logLines.request}, router line ${Math.round(shape.routerLogBytes)}${platformLines ? `, platform lines ${Math.round(platform)}` : ''}`,
      perMillion: ((logBytes * MILLION) / GB) * PRICES.logsIngestPerGb,
    },
  ];
}

const total = (lines: readonly Line[]) => lines.reduce((sum, l) => sum + l.perMillion, 0);

export function priceShapes(compaction: CompactionFigures, router: RouterFigures) {
  const [single, alternating] = compaction.trickle as [PerWrite, PerWrite];
  const trickle = (run: PerWrite): WriteShape => ({
    label: `${run.label}, one change per router batch`,
    routerInvocations: run.invocations,
    routerMs: run.routerMs,
    routerRead: run.routerRead,
    routerWrite: run.routerWrite,
    queueRequests: run.queueRequests,
    routerLogBytes: run.invocations * compaction.logLineBytes.streamBatch,
  });
  const full = router.runs.find((r) => r.users === router.batchSize);
  if (!full) throw new Error('price: the router section measured no batch of one change per user');
  const perChange = full.batchMs.length * router.batchSize;
  const handlerMs = [...full.handlerMs].sort((a, b) => a - b)[Math.floor((full.handlerMs.length - 1) / 2)] ?? Number.NaN;
  const burst: WriteShape = {
    label: `batches of ${router.batchSize} viewers' writes`,
    routerInvocations: 1 / router.batchSize,
    routerMs: handlerMs,
    routerRead: full.readUnits / perChange,
    routerWrite: full.writeUnits / perChange,
    queueRequests: full.queueRequests / perChange,
    routerLogBytes: compaction.logLineBytes.streamBatch / router.batchSize,
  };
  return { single, alternating, shapes: [trickle(single), trickle(alternating), burst] };
}

export function priceTargetRow(compaction: CompactionFigures, router: RouterFigures): string[] {
  const { single, shapes } = priceShapes(compaction, router);
  const trickle = total(linesFor(single, shapes[0] as WriteShape, compaction.logLineBytes, false));
  const burst = total(linesFor(single, shapes[2] as WriteShape, compaction.logLineBytes, false));
  return [`All-in price per million progress writes ≤ ${money(TRICKLE_GOAL)} at trickle (goal, §5b)`, `${money(trickle)} at trickle, ${money(burst)} in batches of ${router.batchSize}`, metMark(trickle <= TRICKLE_GOAL)];
}

export function renderPrice(compaction: CompactionFigures, router: RouterFigures): string {
  const { single, shapes } = priceShapes(compaction, router);
  const [trickleShape, alternatingShape, burstShape] = shapes as [WriteShape, WriteShape, WriteShape];
  const adopted = (shape: WriteShape) => linesFor(single, shape, compaction.logLineBytes, false);
  const trickleLines = adopted(trickleShape);
  const burstLines = adopted(burstShape);
  const alternatingTotal = total(adopted(alternatingShape));
  const withPlatformLines = total(linesFor(single, trickleShape, compaction.logLineBytes, true));
  const durationLine = trickleLines.find((l) => l.item.startsWith('Lambda duration'))?.perMillion ?? 0;
  const trickleTotal = total(trickleLines);
  const burstTotal = total(burstLines);
  const fixed = PRICES.apiGatewayPerMillion + 2 * PRICES.lambdaRequestsPerMillion + (single.apiWrite + trickleShape.routerWrite) * PRICES.dynamoWritePerMillion + (single.apiRead + trickleShape.routerRead) * PRICES.dynamoReadPerMillion + trickleShape.queueRequests * PRICES.sqsPerMillion;
  const entryBytes = compaction.storage.entryBytes;
  const perViewerMonth = (entries: number) => ((entries * entryBytes) / GB) * PRICES.dynamoStorageGbMonth;
  const entriesBefore = (VIEWING_HOURS_PER_DAY * 3600 * RETENTION_DAYS) / SECONDS_BETWEEN_WRITES;
  return `## 5b. The price of a progress write

One progress write, everything it brings about, at us-east-1 list prices (no free tier; sources
below). The route's units and time are the trickle runs' PUTs (§5a). The router's share comes
in two shapes: one change per router batch (a viewer alone on a shard, each write its own
invocation: the worst case) and batches of ${router.batchSize} changes of as many viewers (the router section's
"one change per user"). Durations are the handlers' own times measured here, billed by the ms;
log bytes are the lines the handlers' logger writes, measured. Lambda's platform lines are not
written (system log level WARN, below).

${table(
  ['Line item', 'One change per router batch: basis', 'per million', `Batches of ${router.batchSize}: basis`, 'per million'],
  trickleLines.map((line, i) => [line.item, line.basis, money(line.perMillion, 3), burstLines[i]?.basis ?? '', money(burstLines[i]?.perMillion ?? 0, 3)]),
  ['l', 'l', 'r', 'l', 'r'],
)}
| **Total** | | **${money(trickleTotal)}** | | **${money(burstTotal)}** |

- **Goal ≤ ${money(TRICKLE_GOAL)} at trickle: ${trickleTotal <= TRICKLE_GOAL ? 'met' : 'not met'}.** Requests priced per call make up ${money(fixed)} of the trickle figure whatever
  the code does: the HTTP API request, two Lambda requests (route and router), ${formatUnits(single.apiWrite + trickleShape.routerWrite)} WCU and
  ${formatUnits(single.apiRead + trickleShape.routerRead)} RCU, and one SQS call for the \`viewed\` analytics event. In batches the router's share
  nearly vanishes and the price is ${money(burstTotal)}.
- **Two titles alternating**, one change per batch, cost ${money(alternatingTotal)}: the extra WCU of a new entry's removal of the one it supersedes.
- **Advanced logging, adopted** (\`lib/function-settings.ts\`): JSON lines, system log level WARN.
  Lambda's START/END/REPORT lines would add about ${platformLineBytes(single.apiMs) + platformLineBytes(trickleShape.routerMs)} bytes per write (two invocations), and
  ${money(withPlatformLines - trickleTotal, 3)} per million at trickle (${money(withPlatformLines)} with them). Cold start is not affected: the
  setting changes what Lambda writes, not what it loads.
- **Memory, kept at ${functionSettings.memoryMb} MB.** The duration line is ${money(durationLine, 3)} per million; half the memory would save at most half
  of it (the handlers wait on DynamoDB, so their time would stay about the same), while Lambda's CPU
  share, and with it the CPU-bound cold start of a bundled SDK (§2, measured at full CPU), halves.
- **Feed storage per viewer-month**: an entry is about ${entryBytes} bytes and a title keeps one, so a
  viewer who plays ${TITLES_PER_VIEWER_MONTH} titles a month keeps ${TITLES_PER_VIEWER_MONTH} entries, ${money(perViewerMonth(TITLES_PER_VIEWER_MONTH), 6)} a month at ${money(PRICES.dynamoStorageGbMonth)} per GB-month.
  With one entry per write (${VIEWING_HOURS_PER_DAY} h a day, one write every ${SECONDS_BETWEEN_WRITES} s, ${RETENTION_DAYS} days kept) it was ${Math.round(entriesBefore).toLocaleString('en-US')} entries, ${money(perViewerMonth(entriesBefore), 4)}.

**What a team would compare**, per million progress writes, at their list prices:

${table(
  ['Service', 'What one write costs there', 'per million writes'],
  [
    ['Playhead, one change per router batch', 'the table above', money(trickleTotal)],
    [`Playhead, batches of ${router.batchSize}`, 'the table above', money(burstTotal)],
    ['Cognito Sync', `one sync operation ($0.15 per 10,000)`, money(PRICES.cognitoSyncPerMillion)],
    ['AppSync', `one mutation (${money(PRICES.appSyncOperationsPerMillion)} per million), plus ${money(PRICES.appSyncRealtimeUpdatesPerMillion)} per million for each subscribed device it reaches, plus its resolver's DynamoDB write`, `${money(PRICES.appSyncOperationsPerMillion)} + ${money(PRICES.appSyncRealtimeUpdatesPerMillion)} per device`],
    ['Firestore', `one document write (${money(PRICES.firestoreWritesPerMillionMultiRegion)} per million in nam5, ${money(PRICES.firestoreWritesPerMillionRegional)} in us-east1), plus a read (${money(PRICES.firestoreReadsPerMillionMultiRegion)} per million) for each listening device`, `${money(PRICES.firestoreWritesPerMillionRegional)}–${money(PRICES.firestoreWritesPerMillionMultiRegion)} + reads`],
  ],
  ['l', 'l', 'r'],
)}

Firestore's write is cheaper than Playhead's trickle figure because it includes no API tier, no
function and no event stream: a client writes to the database directly, and syncing devices pay
per read. The Playhead figure carries the API, its authorization and validation, the change feed
and the BI team's event.

Sources (list prices, us-east-1 unless stated): API Gateway https://aws.amazon.com/api-gateway/pricing/
(HTTP API $1.00 per million), Lambda https://aws.amazon.com/lambda/pricing/ (arm64 $0.20 per million
requests, $0.0000133334 per GB-second), DynamoDB https://aws.amazon.com/dynamodb/pricing/on-demand/
($0.625 per million write and $0.125 per million read request units, $0.25 per GB-month), SQS
https://aws.amazon.com/sqs/pricing/ ($0.40 per million requests), CloudWatch
https://aws.amazon.com/cloudwatch/pricing/ ($0.50 per GB of logs ingested), Cognito
https://aws.amazon.com/cognito/pricing/ (Cognito Sync), AppSync https://aws.amazon.com/appsync/pricing/,
Firestore https://cloud.google.com/firestore/pricing (Standard edition).`;
}
