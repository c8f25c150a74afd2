import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { queueDefinitions } from '../../lib/queue-definitions';
import { analyticsEventsFor } from '../events/analytics-events';
import { changeNoticesFor } from '../events/change-notices';
import { type ItemChange, itemChangeOf } from '../events/item-change';
import { notificationFor, notifiedUserOf } from '../events/message-notifications';
import { propagationJobFor } from '../events/propagation-jobs';
import { infoPacketFor } from '../messages/info-packet';
import { type CapacityTally, newTally, reportCapacity, withCapacityTally } from '../shared/capacity-meter';
import { mapConcurrently } from '../shared/concurrency';
import { requireEnv } from '../shared/config';
import { invocation } from '../shared/invocation';
import { logger } from '../shared/logger';
import { countFeedEntriesWritten } from '../shared/metrics';
import { isPermanentError } from '../shared/permanent-errors';
import { appendChangesToFeed } from '../sync/feed-writer';
import { type Outgoing, sendAll } from './outbox';
import { sqsSafeJson } from './sqs-safe-json';

const queueUrl = Object.fromEntries(queueDefinitions.map((q) => [q.name, requireEnv(q.urlEnv)])) as Record<(typeof queueDefinitions)[number]['name'], string>;

/** Info packets read at once; each is two small queries of one user's partition. */
const PACKET_READS_IN_FLIGHT = 8;
/** A poison report carries the whole stream record up to this size, enough to replay it by hand. */
const REPORTED_RECORD_BYTES = 64 * 1024;

/** The part of a record's work that can never succeed, and why. */
interface Refusal {
  changeIndex: number;
  stage: 'read' | 'feed' | 'changes' | 'analytics' | 'propagation' | 'notifications';
  reason: string;
  /** The message a queue refused, when it was one. */
  message?: unknown;
}

/**
 * Turns the table's stream into the change feed and the queues. Everything comes from
 * committed changes only, so a write and what follows from it can never disagree.
 *
 * Order of work: first the feed (numbered per user, in stream order), then, all at once, the
 * `changes` notices for the entries written, the analytics events, the propagation jobs (an
 * edited catalog item whose copies must be refreshed) and the info packets of users whose
 * video messages changed (`notifications`).
 *
 * Two kinds of failure, handled apart. Work that can never succeed for one record (an image
 * that fails its schema, a message SQS refuses, a feed entry DynamoDB refuses) is poison: it is
 * logged and put on the `stream-poison` queue with its reason, and the batch goes on, so one
 * user's bad record never holds back anyone else's changes. Anything that may pass (throttling,
 * a service fault, the network) reports the first change not fully handled; the event source
 * retries from there, the feed recognises changes it already numbered, and the stable
 * `eventId` lets analytics consumers drop the few events that are sent again.
 */
export const handler = invocation(async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const tally = newTally();
  return withCapacityTally(tally, () => route(event, tally));
});

async function route(event: DynamoDBStreamEvent, tally: CapacityTally): Promise<DynamoDBBatchResponse> {
  const started = performance.now();
  const records = event.Records;
  const refusals: Refusal[] = [];
  const changes = records.map((record, changeIndex) => readChange(record, changeIndex, refusals));

  const feed = await appendChangesToFeed(changes);
  countFeedEntriesWritten(feed.written.length);
  const feedMs = performance.now() - started;
  refusals.push(...feed.refused.map(({ changeIndex, error }) => ({ changeIndex, stage: 'feed' as const, reason: describe(error) })));
  let firstFailure = feed.firstFailure;

  // Notices for every user whose feed moved, even past a failure: a redelivered change is not numbered again, so its notice would never go out.
  const notices: Outgoing[] = changeNoticesFor(feed.written).map(({ changeIndex, body }) => ({ queueUrl: queueUrl.changes, changeIndex, body }));
  const analytics = messagesFor(changes, firstFailure, queueUrl.analytics, 'analytics', analyticsEventsFor, refusals);
  const jobs = messagesFor(changes, firstFailure, queueUrl.propagation, 'propagation', (change) => {
    const job = propagationJobFor(change);
    return job === undefined ? [] : [job];
  }, refusals);
  const notifications = await notificationsFor(changes, firstFailure, refusals);
  firstFailure = Math.min(firstFailure, notifications.firstFailure);

  const sent = await sendAll([...notices, ...[...analytics, ...jobs, ...notifications.outgoing].filter((o) => o.changeIndex < firstFailure)]);
  if (sent.failedAt !== undefined) firstFailure = Math.min(firstFailure, sent.failedAt);
  for (const { message, reason } of sent.refused) refusals.push({ changeIndex: message.changeIndex, stage: stageOfQueue(message.queueUrl), reason, message: message.body });

  const reported = await reportPoison(records, refusals);
  if (reported.failedAt !== undefined) firstFailure = Math.min(firstFailure, reported.failedAt);

  const failed = records[firstFailure]?.dynamodb?.SequenceNumber;
  const line = {
    records: records.length,
    feedEntries: feed.written.length,
    feedEntriesRemoved: feed.removed,
    changeNotices: notices.length,
    feedUsers: new Set(feed.written.map((w) => w.userId)).size,
    events: analytics.length,
    propagationJobs: jobs.length,
    notifications: notifications.outgoing.length,
    poison: refusals.length,
    failedAt: failed,
    dynamoReadUnits: tally.readUnits,
    dynamoWriteUnits: tally.writeUnits,
    dynamoRequests: tally.requests,
    queueRequests: sent.requests + reported.requests,
    feedMs: Math.round(feedMs * 10) / 10,
    durationMs: Math.round((performance.now() - started) * 10) / 10,
  };
  logger.info('stream batch', line);
  reportCapacity('stream batch', tally, line);
  return { batchItemFailures: failed === undefined ? [] : [{ itemIdentifier: failed }] };
}

/** A record the stream cannot have produced reads as a change of nothing, which every step ignores. */
function readChange(record: DynamoDBRecord, changeIndex: number, refusals: Refusal[]): ItemChange {
  try {
    return itemChangeOf(record);
  } catch (error) {
    refusals.push({ changeIndex, stage: 'read', reason: describe(error) });
    return { changeId: record.eventID ?? String(changeIndex), streamSeq: '0', occurredAt: new Date().toISOString(), keys: {}, oldImage: undefined, newImage: undefined };
  }
}

/** Messages that follow from each change, up to the first change not handled; a change whose image does not fit its schema is refused. */
function messagesFor(
  changes: ItemChange[],
  until: number,
  url: string,
  stage: Refusal['stage'],
  bodiesOf: (change: ItemChange) => readonly unknown[],
  refusals: Refusal[],
): Outgoing[] {
  const outgoing: Outgoing[] = [];
  for (const [changeIndex, change] of changes.entries()) {
    if (changeIndex >= until) break;
    try {
      for (const body of bodiesOf(change)) outgoing.push({ queueUrl: url, changeIndex, body });
    } catch (error) {
      refusals.push({ changeIndex, stage, reason: `the image does not match its entity schema: ${describe(error)}` });
    }
  }
  return outgoing;
}

/**
 * One info packet per user whose messages changed in the batch, read after the batch's
 * changes (so it shows all of them) and attached to that user's last change in it.
 */
async function notificationsFor(changes: ItemChange[], until: number, refusals: Refusal[]): Promise<{ outgoing: Outgoing[]; firstFailure: number }> {
  const firstChangeOf = new Map<string, number>();
  const lastChangeOf = new Map<string, number>();
  changes.slice(0, until).forEach((change, index) => {
    const userId = notifiedUserOf(change);
    if (userId === undefined) return;
    if (!firstChangeOf.has(userId)) firstChangeOf.set(userId, index);
    lastChangeOf.set(userId, index);
  });
  const now = new Date().toISOString();
  let firstFailure = changes.length;
  const outgoing = await mapConcurrently([...lastChangeOf], PACKET_READS_IN_FLIGHT, async ([userId, changeIndex]): Promise<Outgoing | undefined> => {
    try {
      return { queueUrl: queueUrl.notifications, changeIndex, body: notificationFor(userId, await infoPacketFor(userId, now)) };
    } catch (error) {
      if (isPermanentError(error)) {
        refusals.push({ changeIndex, stage: 'notifications', reason: `the info packet cannot be read: ${describe(error)}` });
        return undefined;
      }
      logger.error('info packet not read; the batch is retried from the user\'s first change', { userId, error: error as Error });
      // Retry from this user's first change in the batch; packets attached to earlier changes still go.
      firstFailure = Math.min(firstFailure, firstChangeOf.get(userId) ?? changeIndex);
      return undefined;
    }
  });
  return { outgoing: outgoing.filter((o): o is Outgoing => o !== undefined), firstFailure };
}

function stageOfQueue(url: string): Refusal['stage'] {
  if (url === queueUrl.changes) return 'changes';
  if (url === queueUrl.analytics) return 'analytics';
  if (url === queueUrl.propagation) return 'propagation';
  return 'notifications';
}

const describe = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/**
 * Logs each refusal with what finds the record again (its keys, stream sequence number and
 * event id) and puts it on the `stream-poison` queue. A report that could not be sent keeps
 * the record in the batch (retried), so a poison record is never dropped unseen.
 */
async function reportPoison(records: readonly DynamoDBRecord[], refusals: readonly Refusal[]): Promise<{ failedAt: number | undefined; requests: number }> {
  if (refusals.length === 0) return { failedAt: undefined, requests: 0 };
  const reports: Outgoing[] = refusals.map((refusal) => {
    const record = records[refusal.changeIndex];
    const found = { eventID: record?.eventID, sequenceNumber: record?.dynamodb?.SequenceNumber, keys: record?.dynamodb?.Keys };
    logger.error('stream record set aside', { stage: refusal.stage, reason: refusal.reason, ...found });
    const whole = record !== undefined && Buffer.byteLength(sqsSafeJson(record)) <= REPORTED_RECORD_BYTES;
    return {
      queueUrl: queueUrl['stream-poison'],
      changeIndex: refusal.changeIndex,
      body: {
        stage: refusal.stage,
        reason: refusal.reason,
        ...found,
        eventSourceARN: record?.eventSourceARN,
        ...(refusal.message !== undefined ? { message: refusal.message } : {}),
        ...(whole ? { record } : {}),
      },
    };
  });
  const sent = await sendAll(reports);
  // A report SQS refuses too is in the log above; holding the batch for it would stall the stream again.
  for (const { message, reason } of sent.refused) logger.error('poison report refused', { changeIndex: message.changeIndex, reason });
  return { failedAt: sent.failedAt, requests: sent.requests };
}
