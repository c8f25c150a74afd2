import type { EventBridgeEvent } from 'aws-lambda';
import { newTally, reportCapacity, withCapacityTally } from '../shared/capacity-meter';
import { nowIso } from '../shared/clock';
import { invocation } from '../shared/invocation';
import { logger } from '../shared/logger';
import { deleteObject } from './message-media';
import { confirmUpload, messageIdOfObjectKey } from './message-rules';

/** The part of S3's "Object Created" EventBridge event that matters here. */
interface ObjectCreatedDetail {
  bucket: { name: string };
  object: { key: string; size?: number };
}

/**
 * Confirms uploads from S3 itself (EventBridge delivers the bucket's Object Created events).
 * An object under the messages prefix that belongs to no message is deleted. A thrown error
 * makes EventBridge retry; confirmation is idempotent.
 */
export const handler = invocation(async (event: EventBridgeEvent<'Object Created', ObjectCreatedDetail>): Promise<void> => {
  const tally = newTally();
  await withCapacityTally(tally, () => confirm(event));
  const line = { objectKey: event.detail.object.key, dynamoReadUnits: tally.readUnits, dynamoWriteUnits: tally.writeUnits, dynamoRequests: tally.requests };
  logger.info('upload event', line);
  reportCapacity('upload event', tally, line);
});

async function confirm(event: EventBridgeEvent<'Object Created', ObjectCreatedDetail>): Promise<void> {
  const objectKey = event.detail.object.key;
  const messageId = messageIdOfObjectKey(objectKey);
  const confirmation = messageId === undefined ? { outcome: 'unknown' as const } : await confirmUpload(messageId, nowIso());
  if (confirmation.outcome === 'unknown') {
    logger.warn('object belongs to no message; deleting it', { objectKey });
    await deleteObject(objectKey);
    return;
  }
  // An object put again under a refused or replaced message (its URL still works) is not kept.
  if (confirmation.outcome === 'rejected' || confirmation.outcome === 'replaced') await deleteObject(objectKey);
  logger.info('upload confirmed', { objectKey, outcome: confirmation.outcome });
}
