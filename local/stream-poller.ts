import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  ExpiredIteratorException,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
  type Shard,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { readStateFile, writeStateFile } from './state-file';

type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | undefined>;

export interface StreamPollerOptions {
  client: DynamoDBStreamsClient;
  streamArn: string;
  handler: StreamHandler;
  /** The event source mapping's filter: records it refuses are read past, never delivered. */
  passes?: (record: DynamoDBRecord) => boolean;
  batchSize: number;
  retryAttempts: number;
  /** Where positions are kept, so a restart neither replays nor skips records. */
  checkpointFile: string;
  /** Receives records that failed every retry (the cloud's on-failure destination). */
  onDiscard: (records: DynamoDBRecord[], reason: string) => Promise<void>;
  log: (message: string, details?: Record<string, unknown>) => void;
  idleDelayMs?: number;
}

interface ShardState {
  parentId: string | undefined;
  iterator: string | undefined;
  lastSequence: string | undefined;
  closed: boolean;
}

/**
 * The laptop stand-in for Lambda's DynamoDB Streams event source mapping: reads each shard
 * in order (parents before children), invokes the handler in batches, and honours partial
 * batch failures by retrying from the first failed record, never dropping one silently.
 */
export class StreamPoller {
  private readonly shards = new Map<string, ShardState>();
  /** Every stream's positions as the file holds them (other tables' streams kept as they are). */
  private readonly checkpointFile: Record<string, Record<string, string>>;
  private readonly checkpoints: Record<string, string>;
  private running = false;
  private loop: Promise<void> | undefined;
  private lastDescribe = 0;

  constructor(private readonly options: StreamPollerOptions) {
    this.checkpointFile = readCheckpoints(options.checkpointFile, options.log);
    this.checkpoints = this.checkpointFile[options.streamArn] ?? {};
    this.checkpointFile[options.streamArn] = this.checkpoints;
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let delivered = 0;
      try {
        if (Date.now() - this.lastDescribe > 1000 || this.shards.size === 0) await this.refreshShards();
        for (const [shardId, state] of this.shards) {
          if (!this.running) break;
          // A child shard's records come after all of its parent's: wait until the parent is drained.
          const parent = state.parentId ? this.shards.get(state.parentId) : undefined;
          if (!state.closed && (parent === undefined || parent.closed)) delivered += await this.pollShard(shardId, state);
        }
      } catch (error) {
        // A poll that fails because the stack is stopping is no news.
        if (this.running) this.options.log('stream poll failed', { error: String(error) });
      }
      if (delivered === 0) await sleep(this.options.idleDelayMs ?? 100);
    }
  }

  private async refreshShards(): Promise<void> {
    this.lastDescribe = Date.now();
    const shards: Shard[] = [];
    let start: string | undefined;
    do {
      const out = await this.options.client.send(new DescribeStreamCommand({ StreamArn: this.options.streamArn, ExclusiveStartShardId: start }));
      shards.push(...(out.StreamDescription?.Shards ?? []));
      start = out.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    for (const shard of orderParentsFirst(shards)) {
      if (shard.ShardId && !this.shards.has(shard.ShardId)) {
        this.shards.set(shard.ShardId, { parentId: shard.ParentShardId, iterator: undefined, lastSequence: this.checkpoints[shard.ShardId], closed: false });
      }
    }
  }

  private async iteratorFor(shardId: string, state: ShardState): Promise<string | undefined> {
    const out = await this.options.client.send(
      new GetShardIteratorCommand({
        StreamArn: this.options.streamArn,
        ShardId: shardId,
        ...(state.lastSequence ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: state.lastSequence } : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    return out.ShardIterator;
  }

  private async pollShard(shardId: string, state: ShardState): Promise<number> {
    state.iterator ??= await this.iteratorFor(shardId, state);
    if (!state.iterator) {
      state.closed = true;
      return 0;
    }
    let out: Awaited<ReturnType<typeof this.getRecords>>;
    try {
      out = await this.getRecords(state.iterator);
    } catch (error) {
      // DynamoDB Local sometimes invalidates an iterator (seen after a cancelled transaction on a
      // quiet stream); a fresh one from the last position handled reads on without loss.
      if (error instanceof TrimmedDataAccessException || error instanceof ExpiredIteratorException) {
        state.iterator = undefined;
        return 0;
      }
      throw error;
    }
    const records = (out.Records ?? []).map((r) => this.toLambdaRecord(r));
    const wanted = this.options.passes ? records.filter(this.options.passes) : records;
    if (records.length > 0) {
      const done = wanted.length > 0 ? await this.deliver(wanted) : [];
      // Filtered records are handled by being skipped: past them once everything wanted is done.
      for (const record of done.length === wanted.length ? records : done) state.lastSequence = record.dynamodb?.SequenceNumber ?? state.lastSequence;
      this.saveCheckpoint(shardId, state);
      if (done.length < wanted.length) {
        // Stopped mid-batch: the next start resumes after the last record handled.
        state.iterator = undefined;
        return done.length;
      }
    }
    state.iterator = out.NextShardIterator;
    if (!state.iterator) state.closed = true;
    return records.length;
  }

  private getRecords(iterator: string) {
    return this.options.client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: this.options.batchSize }));
  }

  /**
   * Invokes the handler until every record is processed or has used up its retries; returns
   * the records that are done (all of them unless the poller was stopped).
   */
  private async deliver(records: DynamoDBRecord[]): Promise<DynamoDBRecord[]> {
    let pending = records;
    let attempt = 0;
    while (pending.length > 0 && this.running) {
      let failedSequence: string | undefined;
      try {
        const response = await this.options.handler({ Records: pending });
        failedSequence = response?.batchItemFailures?.[0]?.itemIdentifier;
      } catch (error) {
        this.options.log('stream handler threw', { error: String(error), firstRecordKeys: pending[0]?.dynamodb?.Keys });
        failedSequence = pending[0]?.dynamodb?.SequenceNumber;
      }
      if (failedSequence === undefined) return records;
      const index = Math.max(0, pending.findIndex((r) => r.dynamodb?.SequenceNumber === failedSequence));
      pending = pending.slice(index);
      if (index > 0) attempt = 0;
      attempt += 1;
      if (attempt > this.options.retryAttempts) {
        // A failure destination that fails too must not stall the stream: say so and go on.
        await this.options.onDiscard(pending.slice(0, 1), `failed ${attempt} times`).catch((error: unknown) =>
          this.options.log('failure destination refused a record', { error: String(error), eventID: pending[0]?.eventID }),
        );
        pending = pending.slice(1);
        attempt = 0;
        continue;
      }
      await sleep(Math.min(5000, 100 * 2 ** attempt));
    }
    return records.slice(0, records.length - pending.length);
  }

  private toLambdaRecord(record: StreamRecord): DynamoDBRecord {
    const dynamodb = record.dynamodb;
    const approx = dynamodb?.ApproximateCreationDateTime;
    return {
      eventID: record.eventID,
      eventName: record.eventName,
      eventVersion: record.eventVersion ?? '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: record.awsRegion ?? 'us-east-1',
      eventSourceARN: this.options.streamArn,
      dynamodb: {
        ...(dynamodb as NonNullable<DynamoDBRecord['dynamodb']>),
        Keys: normalizeImage(dynamodb?.Keys),
        NewImage: normalizeImage(dynamodb?.NewImage),
        OldImage: normalizeImage(dynamodb?.OldImage),
        ApproximateCreationDateTime: approx instanceof Date ? Math.floor(approx.getTime() / 1000) : (approx as number | undefined),
      },
    } as DynamoDBRecord;
  }

  private saveCheckpoint(shardId: string, state: ShardState): void {
    if (!state.lastSequence) return;
    this.checkpoints[shardId] = state.lastSequence;
    writeStateFile(this.options.checkpointFile, JSON.stringify(this.checkpointFile));
  }
}

/**
 * The positions saved by an earlier run. Saves are atomic, so a damaged file comes from an edit
 * or an older writer killed halfway; starting anyway from the oldest record still in each
 * shard (TRIM_HORIZON) loses nothing and is safe: the stream router recognises changes already
 * in the feed by their sequence numbers and skips them (docs/SYNC.md, "Redelivery does not
 * renumber"), propagation refreshes are conditional, and only analytics events and message
 * pushes may go out again (analytics consumers drop repeats by eventId).
 */
function readCheckpoints(file: string, log: StreamPollerOptions['log']): Record<string, Record<string, string>> {
  const text = readStateFile(file);
  if (text === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    parsed = error;
  }
  const isPositions = (value: unknown): value is Record<string, string> =>
    typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && !(parsed instanceof Error) && Object.values(parsed).every(isPositions)) {
    return parsed as Record<string, Record<string, string>>;
  }
  const why = parsed instanceof Error ? parsed.message : 'not a map of stream positions';
  log(`stream checkpoints in ${file} are damaged (${why}); reading every shard from TRIM_HORIZON, where the stream router skips the changes it already handled`);
  return {};
}

function orderParentsFirst(shards: Shard[]): Shard[] {
  const byId = new Map(shards.map((s) => [s.ShardId, s]));
  const ordered: Shard[] = [];
  const seen = new Set<string | undefined>();
  const visit = (shard: Shard) => {
    if (seen.has(shard.ShardId)) return;
    seen.add(shard.ShardId);
    const parent = shard.ParentShardId ? byId.get(shard.ParentShardId) : undefined;
    if (parent) visit(parent);
    ordered.push(shard);
  };
  shards.forEach(visit);
  return ordered;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Image = Record<string, unknown> | undefined;

/**
 * DynamoDB Local's stream writes an empty map as `{}` rather than `{"M":{}}`; Lambda events from
 * DynamoDB carry the typed form, so the poller hands on that.
 */
function normalizeImage(image: Image): never {
  if (image === undefined) return undefined as never;
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, normalizeValue(value)])) as never;
}

function normalizeValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const typed = value as Record<string, unknown>;
  if (Object.keys(typed).length === 0) return { M: {} };
  if (typed.M !== undefined && typeof typed.M === 'object' && typed.M !== null) return { M: normalizeImage(typed.M as Record<string, unknown>) };
  if (Array.isArray(typed.L)) return { L: typed.L.map(normalizeValue) };
  return value;
}
