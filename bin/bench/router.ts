/**
 * The stream router's throughput per shard for `npm run bench` (issue 10). The router's handler
 * is called here with full batches of stream records, as Lambda calls it for one shard (one
 * invocation at a time), against the local stack's DynamoDB Local and SQS emulator. Records are
 * made here rather than written to the table, so the stack's own poller never sees them and a
 * batch is full from the start; the feed entries the router writes reach the stream, where the
 * event filter drops them as it does in AWS.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { PROGRESS_ENTITY, progressKey } from '../../lambdas/progress/progress-item';
import { streamRouterSettings } from '../../lib/consumers';
import { drainStream } from './support';

/** The fields of the router's batch line this module reads. */
export interface RouterBatchLine {
  records: number;
  feedEntries: number;
  feedUsers?: number;
  dynamoRequests: number;
  queueRequests?: number;
  /** Milliseconds until the batch's feed entries were written (the rest is queues and packets). */
  feedMs?: number;
  durationMs?: number;
  dynamoReadUnits?: number;
  dynamoWriteUnits?: number;
}

export interface RouterBenchContext {
  capture: { takeBatches(): RouterBatchLine[] };
  note(line: string): void;
}

interface Shape {
  label: string;
  /** Users in one batch; the batch's records are shared out among them round-robin. */
  users: number;
}

const BATCH = streamRouterSettings.batchSize;
/** Many viewers with one change each (a busy evening), a few with ten, one with the whole batch. */
const SHAPES: readonly Shape[] = [
  { label: 'one change per user', users: BATCH },
  { label: 'ten changes per user', users: BATCH / 10 },
  { label: 'one user', users: 1 },
];
/** Batches per shape; the first one warms connections and is not counted. */
const BATCHES = 5;
/** DynamoDB's cap on one partition's writes; each change writes its item and its feed entry. */
const PARTITION_WRITE_UNITS = 1000;

export interface RouterRun {
  label: string;
  users: number;
  changesPerUser: number;
  /** Milliseconds of each counted batch, from the call until the router answered. */
  batchMs: number[];
  /** …of which the feed took this long. */
  feedMs: number[];
  dynamoRequests: number;
  queueRequests: number;
  readUnits: number;
  writeUnits: number;
  /** The handler's own time per counted batch, as its batch line reports it. */
  handlerMs: number[];
  userBatches: number;
  failures: number;
}

export interface RouterFigures {
  batchSize: number;
  runs: RouterRun[];
}

/** A progress change as the stream carries it: the user moved further into the title. */
function progressRecord(userId: string, assetId: string, sequence: bigint, progress: number): DynamoDBRecord {
  const item = (p: number) => ({ ...progressKey(userId, assetId), entity: PROGRESS_ENTITY, assetId, progress: p, updatedAt: new Date().toISOString() });
  return {
    eventID: `bench-${sequence}`,
    eventName: 'MODIFY',
    eventSource: 'aws:dynamodb',
    dynamodb: {
      Keys: marshall(progressKey(userId, assetId)) as never,
      NewImage: marshall(item(progress)) as never,
      OldImage: marshall(item(progress - 1)) as never,
      SequenceNumber: String(sequence),
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
    },
  };
}

export async function measureRouter(context: RouterBenchContext): Promise<RouterFigures> {
  // Imported late: the handler reads its configuration when it loads, which the local stack sets.
  const { handler } = await import('../../lambdas/stream-router/handler');
  const runs: RouterRun[] = [];
  const stamp = Date.now().toString(36);
  let sequence = 10n ** 20n;
  // Whatever ran before must not share the machine with the batches measured here.
  await drainStream(context.capture);
  for (const shape of SHAPES) {
    context.note(`router: ${BATCHES} batches of ${BATCH} progress changes from ${shape.users} users each`);
    const users = Array.from({ length: shape.users }, (_, i) => `bench-router-${stamp}-${shape.users}-${i}`);
    const run: RouterRun = { label: shape.label, users: shape.users, changesPerUser: BATCH / shape.users, batchMs: [], feedMs: [], dynamoRequests: 0, queueRequests: 0, readUnits: 0, writeUnits: 0, handlerMs: [], userBatches: 0, failures: 0 };
    for (let batch = 0; batch < BATCHES; batch++) {
      const records = Array.from({ length: BATCH }, (_, i) => {
        sequence += 1n;
        return progressRecord(users[i % users.length] as string, '00000000-0000-4000-8000-000000000000', sequence, 10 + batch * BATCH + i);
      });
      context.capture.takeBatches();
      const started = performance.now();
      const answer = await handler({ Records: records });
      const elapsed = performance.now() - started;
      // The line of this call (the feed's own records never reach the router).
      const line = context.capture.takeBatches().find((b) => b.feedEntries > 0);
      if (batch === 0) continue;
      run.batchMs.push(elapsed);
      run.feedMs.push(line?.feedMs ?? Number.NaN);
      run.failures += answer.batchItemFailures.length;
      run.dynamoRequests += line?.dynamoRequests ?? 0;
      run.queueRequests += line?.queueRequests ?? 0;
      run.readUnits += line?.dynamoReadUnits ?? 0;
      run.writeUnits += line?.dynamoWriteUnits ?? 0;
      run.handlerMs.push(line?.durationMs ?? Number.NaN);
      run.userBatches += line?.feedUsers ?? 0;
    }
    runs.push(run);
  }
  return { batchSize: BATCH, runs };
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] ?? Number.NaN;

export function renderRouter({ batchSize, runs }: RouterFigures): string {
  const rows = runs.map((r) => {
    const batchMs = median(r.batchMs);
    return [
      r.label,
      `${r.users} × ${r.changesPerUser}`,
      String(r.batchMs.length),
      batchMs.toFixed(1),
      median(r.feedMs).toFixed(1),
      String(Math.round((batchSize / batchMs) * 1000)),
      (r.dynamoRequests / Math.max(1, r.userBatches)).toFixed(2),
      (r.queueRequests / r.batchMs.length).toFixed(1),
      String(r.failures),
    ];
  });
  const header = ['Batch of changes', 'Users × changes each', 'Batches', 'Median ms per batch', '… of which the feed', 'Changes/s per shard', 'DynamoDB calls per user per batch', 'SQS calls per batch', 'Failed records'];
  const table = [header, header.map((_, i) => (i < 2 ? '---' : '---:')), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
  return `## Stream router throughput per shard (issue 10)

The router's handler is called with batches of ${batchSize} progress changes (the batch size of the
event source mapping), one batch after another as Lambda invokes it for one shard, against the
local stack's DynamoDB Local and SQS emulator. Each change is a MODIFY that moves a user further
into a title, so it gets a feed entry and a \`viewed\` analytics event (no \`changes\` notice:
progress alone wakes no device). The
records are made by the bench, not written to the table, so every batch is full; the first
batch of each shape warms connections and is not counted. Changes/s is ${batchSize} over the median
batch time: what one shard's router could number if batches were always full. DynamoDB calls
per user per batch are the feed's: one strongly consistent Query for the user's newest entries,
then one conditional PutItem per change, one after another (what keeps entries visible in number
order, docs/SYNC.md); each user's changes here are of one title, so its entry is rewritten in place.

${table}

Lambda's polling adds to these times. The feed entries' own stream records are filtered out
before the router (lib/stream-filter.ts), so a shard that is behind gets full batches of changes. What bounds the rate, and what it means at 10× and 100× the load, is in
docs/SYNC.md ("Router throughput"). A stream shard follows a table partition, which takes at
most ${PARTITION_WRITE_UNITS} WCU/s; every change writes its item and its feed entry (2 WCU under 1 KB), so one shard
never carries more than about ${PARTITION_WRITE_UNITS / 2} changes/s, however large the total load.
`;
}
