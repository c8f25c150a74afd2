import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { queueDefinitions } from '../../lib/queue-definitions';
import { analyticsEventsFor } from '../events/analytics-events';
import type { ChangeNotice } from '../events/change-notices';
import { type ItemChange, itemChangeOf } from '../events/item-change';
import { type CapacityTally, newTally, withCapacityTally } from '../shared/capacity-meter';
import { requireEnv } from '../shared/config';
import { logger } from '../shared/logger';
import { sqsClient } from '../shared/sqs';
import { appendChangesToFeed } from '../sync/feed-writer';

const queueUrl = Object.fromEntries(queueDefinitions.map((q) => [q.name, requireEnv(q.urlEnv)])) as Record<(typeof queueDefinitions)[number]['name'], string>;

/** SendMessageBatch takes at most ten entries. */
const SQS_BATCH_SIZE = 10;

interface Outgoing {
  changeIndex: number;
  body: unknown;
}

/**
 * Turns the table's stream into the change feed and the two queues. Everything comes from
 * committed changes only, so a write and what follows from it can never disagree.
 *
 * Order of work: first the feed (numbered per user, in stream order), then the `changes`
 * notices for the entries written, then the analytics events. On any failure it reports the
 * first change not fully handled; the event source retries from there, the feed recognises
 * changes it already numbered, and the stable `eventId` lets analytics consumers drop the few
 * events that are sent again.
 */
export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const tally = newTally();
  return withCapacityTally(tally, () => route(event, tally));
}

async function route(event: DynamoDBStreamEvent, tally: CapacityTally): Promise<DynamoDBBatchResponse> {
  const records = event.Records;
  const changes = records.map(itemChangeOf);
  const feed = await appendChangesToFeed(changes);
  let firstFailure = feed.firstFailure;

  // Notices for every entry written, even past a failure: a redelivered change is not numbered again, so its notice would never go out.
  const notices: Outgoing[] = feed.written.map((w) => ({
    changeIndex: w.changeIndex,
    body: { userId: w.userId, seq: w.entry.seq, type: w.entry.type, key: w.entry.key, op: w.entry.op } satisfies ChangeNotice,
  }));
  const noticeFailure = await sendAll(queueUrl.changes, notices);
  if (noticeFailure !== undefined) logger.error('change notices not sent', { changeIndex: noticeFailure });

  const analytics = analyticsFor(changes, firstFailure);
  firstFailure = Math.min(firstFailure, analytics.firstFailure);
  const analyticsFailure = await sendAll(
    queueUrl.analytics,
    analytics.outgoing.filter((o) => o.changeIndex < firstFailure),
  );
  if (analyticsFailure !== undefined) firstFailure = Math.min(firstFailure, analyticsFailure);

  const failed = records[firstFailure]?.dynamodb?.SequenceNumber;
  logger.info('stream batch', {
    records: records.length,
    feedEntries: feed.written.length,
    events: analytics.outgoing.length,
    failedAt: failed,
    dynamoReadUnits: tally.readUnits,
    dynamoWriteUnits: tally.writeUnits,
    dynamoRequests: tally.requests,
  });
  return { batchItemFailures: failed === undefined ? [] : [{ itemIdentifier: failed }] };
}

function analyticsFor(changes: ItemChange[], until: number): { outgoing: Outgoing[]; firstFailure: number } {
  const outgoing: Outgoing[] = [];
  for (const [changeIndex, change] of changes.entries()) {
    if (changeIndex >= until) break;
    try {
      for (const body of analyticsEventsFor(change)) outgoing.push({ changeIndex, body });
    } catch (error) {
      logger.error('stream record does not match its entity schema', { eventId: change.changeId, error: error as Error });
      return { outgoing, firstFailure: changeIndex };
    }
  }
  return { outgoing, firstFailure: changes.length };
}

/** Sends in batches of ten, in order; returns the lowest change index not delivered, if any. */
async function sendAll(url: string, outgoing: Outgoing[]): Promise<number | undefined> {
  for (let start = 0; start < outgoing.length; start += SQS_BATCH_SIZE) {
    const chunk = outgoing.slice(start, start + SQS_BATCH_SIZE);
    const failedIndex = await sendChunk(url, chunk);
    if (failedIndex !== undefined) return failedIndex;
  }
  return undefined;
}

async function sendChunk(url: string, chunk: Outgoing[]): Promise<number | undefined> {
  const firstInChunk = chunk[0]?.changeIndex ?? 0;
  try {
    const output = await sqsClient.send(
      new SendMessageBatchCommand({ QueueUrl: url, Entries: chunk.map((o, i) => ({ Id: String(i), MessageBody: JSON.stringify(o.body) })) }),
    );
    const failedIds = (output.Failed ?? []).map((f) => Number(f.Id));
    if (failedIds.length === 0) return undefined;
    logger.warn('messages not accepted', { queueUrl: url, failed: output.Failed });
    return Math.min(...failedIds.map((id) => chunk[id]?.changeIndex ?? firstInChunk));
  } catch (error) {
    logger.error('message batch failed', { queueUrl: url, error: error as Error });
    return firstInChunk;
  }
}
