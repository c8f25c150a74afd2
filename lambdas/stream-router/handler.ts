import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { queueDefinitions } from '../../lib/queue-definitions';
import { analyticsEventsFor } from '../events/analytics-events';
import type { ChangeNotice } from '../events/change-notices';
import { type ItemChange, itemChangeOf } from '../events/item-change';
import { notificationFor, notifiedUserOf } from '../events/message-notifications';
import { propagationJobFor } from '../events/propagation-jobs';
import { infoPacketFor } from '../messages/info-packet';
import { type CapacityTally, newTally, withCapacityTally } from '../shared/capacity-meter';
import { requireEnv } from '../shared/config';
import { logger } from '../shared/logger';
import { sqsClient } from '../shared/sqs';
import { appendChangesToFeed } from '../sync/feed-writer';

const queueUrl = Object.fromEntries(queueDefinitions.map((q) => [q.name, requireEnv(q.urlEnv)])) as Record<(typeof queueDefinitions)[number]['name'], string>;

/** SendMessageBatch takes at most ten entries… */
const SQS_BATCH_SIZE = 10;
/** …of at most 256 KiB together (with room for the request's own framing). */
const SQS_BATCH_BYTES = 240 * 1024;

interface Outgoing {
  changeIndex: number;
  body: unknown;
}

/**
 * Turns the table's stream into the change feed and the queues. Everything comes from
 * committed changes only, so a write and what follows from it can never disagree.
 *
 * Order of work: first the feed (numbered per user, in stream order), then the `changes`
 * notices for the entries written, then the analytics events, the propagation jobs (an
 * edited catalog item whose copies must be refreshed) and the info packets of users whose
 * video messages changed (`notifications`). On any failure it reports the
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

  const analytics = messagesFor(changes, firstFailure, analyticsEventsFor);
  const jobs = messagesFor(changes, firstFailure, (change) => {
    const job = propagationJobFor(change);
    return job === undefined ? [] : [job];
  });
  firstFailure = Math.min(firstFailure, analytics.firstFailure, jobs.firstFailure);
  const notifications = await notificationsFor(changes, firstFailure);
  firstFailure = Math.min(firstFailure, notifications.firstFailure);
  for (const [url, outgoing] of [
    [queueUrl.analytics, analytics.outgoing],
    [queueUrl.propagation, jobs.outgoing],
    [queueUrl.notifications, notifications.outgoing],
  ] as const) {
    const failure = await sendAll(
      url,
      outgoing.filter((o) => o.changeIndex < firstFailure),
    );
    if (failure !== undefined) firstFailure = Math.min(firstFailure, failure);
  }

  const failed = records[firstFailure]?.dynamodb?.SequenceNumber;
  logger.info('stream batch', {
    records: records.length,
    feedEntries: feed.written.length,
    events: analytics.outgoing.length,
    propagationJobs: jobs.outgoing.length,
    notifications: notifications.outgoing.length,
    failedAt: failed,
    dynamoReadUnits: tally.readUnits,
    dynamoWriteUnits: tally.writeUnits,
    dynamoRequests: tally.requests,
  });
  return { batchItemFailures: failed === undefined ? [] : [{ itemIdentifier: failed }] };
}

/** Messages that follow from each change, up to the first change not handled. */
function messagesFor(changes: ItemChange[], until: number, bodiesOf: (change: ItemChange) => readonly unknown[]): { outgoing: Outgoing[]; firstFailure: number } {
  const outgoing: Outgoing[] = [];
  for (const [changeIndex, change] of changes.entries()) {
    if (changeIndex >= until) break;
    try {
      for (const body of bodiesOf(change)) outgoing.push({ changeIndex, body });
    } catch (error) {
      logger.error('stream record does not match its entity schema', { eventId: change.changeId, error: error as Error });
      return { outgoing, firstFailure: changeIndex };
    }
  }
  return { outgoing, firstFailure: changes.length };
}

/**
 * One info packet per user whose messages changed in the batch, read after the batch's
 * changes (so it shows all of them) and attached to that user's last change in it.
 */
async function notificationsFor(changes: ItemChange[], until: number): Promise<{ outgoing: Outgoing[]; firstFailure: number }> {
  const firstChangeOf = new Map<string, number>();
  const lastChangeOf = new Map<string, number>();
  changes.slice(0, until).forEach((change, index) => {
    const userId = notifiedUserOf(change);
    if (userId === undefined) return;
    if (!firstChangeOf.has(userId)) firstChangeOf.set(userId, index);
    lastChangeOf.set(userId, index);
  });
  const outgoing: Outgoing[] = [];
  const now = new Date().toISOString();
  for (const [userId, changeIndex] of lastChangeOf) {
    try {
      outgoing.push({ changeIndex, body: notificationFor(userId, await infoPacketFor(userId, now)) });
    } catch (error) {
      logger.error('info packet not read', { userId, error: error as Error });
      // Retry from this user's first change in the batch; packets attached to earlier changes still go.
      const failedAt = firstChangeOf.get(userId) ?? changeIndex;
      return { outgoing: outgoing.filter((o) => o.changeIndex < failedAt), firstFailure: failedAt };
    }
  }
  return { outgoing, firstFailure: changes.length };
}

/** Sends in order, in batches of at most ten messages and SQS_BATCH_BYTES; returns the lowest change index not delivered, if any. */
async function sendAll(url: string, outgoing: Outgoing[]): Promise<number | undefined> {
  let chunk: Outgoing[] = [];
  let bytes = 0;
  for (const message of [...outgoing, undefined]) {
    const size = message === undefined ? 0 : Buffer.byteLength(JSON.stringify(message.body));
    if (chunk.length > 0 && (message === undefined || chunk.length === SQS_BATCH_SIZE || bytes + size > SQS_BATCH_BYTES)) {
      const failedIndex = await sendChunk(url, chunk);
      if (failedIndex !== undefined) return failedIndex;
      chunk = [];
      bytes = 0;
    }
    if (message !== undefined) {
      chunk.push(message);
      bytes += size;
    }
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
