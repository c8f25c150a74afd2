import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { CREDENTIALS_ALARM } from '../../lib/push-definitions';
import { changeNoticeSchema } from '../events/change-notices';
import { hintFlushSchema } from '../events/hint-flushes';
import { messageNotificationSchema } from '../events/message-notification-schema';
import { newTally as newCapacityTally, reportCapacity, withCapacityTally } from '../shared/capacity-meter';
import { mapConcurrently } from '../shared/concurrency';
import { invocation } from '../shared/invocation';
import { logger } from '../shared/logger';
import { countPushesSent, countPushTokensPruned } from '../shared/metrics';
import { pushPacket } from './packet-pushes';
import { newTally, type Tally } from './push-delivery';
import { type PushCredentials, pushCredentials } from './push-credentials';
import { flushHints, hintChange } from './sync-hints';

/** Messages worked at once; each sends to a user's devices, at most ten. */
const CONCURRENCY = 5;

/**
 * The push sender, on three queues: `notifications` (a user's info packet: pushed to each of
 * their devices), `changes` (a user's synced items changed: a sync hint, within each device's
 * window) and `hint-flushes` (its own delayed trailing hints). Messages are told apart by
 * shape. A message whose pushes must be retried is reported as failed and comes again from
 * SQS (then its DLQ); what was already sent is not sent twice, because every push is claimed
 * on its device first.
 */
export const handler = invocation(async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const started = performance.now();
  const capacity = newCapacityTally();
  const tally = newTally();
  const failures: { itemIdentifier: string }[] = [];
  await withCapacityTally(capacity, async () => {
    let credentials: PushCredentials;
    try {
      credentials = await pushCredentials();
    } catch (error) {
      // Without credentials nothing can be sent, and nothing is deleted: every message comes again.
      logger.error('push credentials cannot be read', { alarm: CREDENTIALS_ALARM, error: error as Error });
      failures.push(...event.Records.map((record) => ({ itemIdentifier: record.messageId })));
      return;
    }
    const now = new Date();
    await mapConcurrently(event.Records, CONCURRENCY, async (record) => {
      try {
        if (await work(record, credentials, now, tally)) failures.push({ itemIdentifier: record.messageId });
      } catch (error) {
        logger.error('push message failed', { messageId: record.messageId, error: error as Error });
        failures.push({ itemIdentifier: record.messageId });
      }
    });
  });
  const line = { messages: event.Records.length, failed: failures.length, ...tally, durationMs: Math.round(performance.now() - started), dynamoReadUnits: capacity.readUnits, dynamoWriteUnits: capacity.writeUnits };
  logger.info('push batch', line);
  reportCapacity('push batch', capacity, line);
  countPushesSent(tally.sent);
  countPushTokensPruned(tally.gone);
  return { batchItemFailures: failures };
});

/** True when the message must come again. */
async function work(record: SQSRecord, credentials: PushCredentials, now: Date, tally: Tally): Promise<boolean> {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    body = undefined;
  }
  const notification = messageNotificationSchema.safeParse(body);
  if (notification.success) return pushPacket(notification.data, credentials, now, tally);
  const notice = changeNoticeSchema.safeParse(body);
  if (notice.success) return hintChange(notice.data, credentials, now, tally);
  const flush = hintFlushSchema.safeParse(body);
  if (flush.success) return flushHints(flush.data, credentials, now, tally);
  // A message that can never be worked is dropped with a log line rather than retried into the DLQ.
  logger.error('push message is malformed', { messageId: record.messageId, eventSource: record.eventSourceARN });
  return false;
}
