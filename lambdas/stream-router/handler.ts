import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { queueDefinitions } from '../../lib/queue-definitions';
import { type AnalyticsEvent, analyticsEventsFor } from '../events/analytics-events';
import { requireEnv } from '../shared/config';
import { logger } from '../shared/logger';
import { sqsClient } from '../shared/sqs';

const analyticsQueueUrl = requireEnv(queueDefinitions[0].urlEnv);

/** SendMessageBatch takes at most ten entries. */
const SQS_BATCH_SIZE = 10;

interface Outgoing {
  recordIndex: number;
  event: AnalyticsEvent;
}

function changeOf(record: DynamoDBRecord) {
  const image = (value: unknown) => (value === undefined ? undefined : unmarshall(value as Record<string, AttributeValue>));
  const approx = record.dynamodb?.ApproximateCreationDateTime;
  return {
    changeId: record.eventID ?? `${record.dynamodb?.SequenceNumber}`,
    occurredAt: new Date(approx === undefined ? Date.now() : approx * 1000).toISOString(),
    oldImage: image(record.dynamodb?.OldImage),
    newImage: image(record.dynamodb?.NewImage),
  };
}

/**
 * Turns the table's stream into analytics events. Events come from committed changes only,
 * so a write and its event can never disagree. On a failure it reports the first record
 * not fully delivered; the event source retries from there (stream order is kept), and
 * the stable `eventId` lets consumers drop the few events that are sent again.
 */
export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const records = event.Records;
  const outgoing: Outgoing[] = [];
  let firstFailure = records.length;
  for (const [recordIndex, record] of records.entries()) {
    try {
      for (const analytics of analyticsEventsFor(changeOf(record))) outgoing.push({ recordIndex, event: analytics });
    } catch (error) {
      logger.error('stream record does not match its entity schema', { eventId: record.eventID, error: error as Error });
      firstFailure = recordIndex;
      break;
    }
  }

  const deliverable = outgoing.filter((o) => o.recordIndex < firstFailure);
  for (let start = 0; start < deliverable.length; start += SQS_BATCH_SIZE) {
    const chunk = deliverable.slice(start, start + SQS_BATCH_SIZE);
    const failedIndex = await sendChunk(chunk);
    if (failedIndex !== undefined) {
      firstFailure = Math.min(firstFailure, failedIndex);
      break;
    }
  }

  const failed = records[firstFailure]?.dynamodb?.SequenceNumber;
  logger.info('stream batch', { records: records.length, events: outgoing.length, failedAt: failed });
  return { batchItemFailures: failed === undefined ? [] : [{ itemIdentifier: failed }] };
}

/** Sends one batch; returns the lowest record index whose event was not accepted. */
async function sendChunk(chunk: Outgoing[]): Promise<number | undefined> {
  try {
    const output = await sqsClient.send(
      new SendMessageBatchCommand({
        QueueUrl: analyticsQueueUrl,
        Entries: chunk.map((o, i) => ({ Id: String(i), MessageBody: JSON.stringify(o.event) })),
      }),
    );
    const failedIds = (output.Failed ?? []).map((f) => Number(f.Id));
    if (failedIds.length === 0) return undefined;
    logger.warn('analytics events not accepted', { failed: output.Failed });
    const firstInChunk = chunk[0]?.recordIndex ?? 0;
    return Math.min(...failedIds.map((id) => chunk[id]?.recordIndex ?? firstInChunk));
  } catch (error) {
    logger.error('analytics batch failed', { error: error as Error });
    return chunk[0]?.recordIndex;
  }
}
