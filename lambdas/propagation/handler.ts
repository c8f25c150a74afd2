import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { PROPAGATION_QUEUE_URL_ENV } from '../../lib/queue-definitions';
import { tableKeyOfContent } from '../catalog/content-keys';
import { holdersQuery } from '../catalog/holders-index';
import { type PropagationJob, propagationJobSchema } from '../events/propagation-jobs';
import { newTally, reportCapacity, withCapacityTally } from '../shared/capacity-meter';
import { nowIso } from '../shared/clock';
import { mapConcurrently } from '../shared/concurrency';
import { requireEnv } from '../shared/config';
import { documentClient, tableName } from '../shared/dynamo';
import { invocation } from '../shared/invocation';
import { logger } from '../shared/logger';
import { sqsClient } from '../shared/sqs';
import { holderRefreshes } from './holder-refresh';

const queueUrl = requireEnv(PROPAGATION_QUEUE_URL_ENV);

/** Holders per message: one page of the index, refreshed well inside the worker's timeout. */
export const HOLDERS_PER_JOB = 250;
/** The second sweep comes this long after the first (index replication lag is well under a second). */
const SECOND_SWEEP_DELAY_SECONDS = 60;
/** Holder updates in flight at once. */
const CONCURRENCY = 25;

/**
 * Refreshes the copies of an edited catalog item, one page of holders per message. The next
 * page goes back on the queue before this one is worked, so long holder lists are worked by
 * several invocations at once. Every update is conditional on the holder's copy being older,
 * so a message delivered again, or a page worked twice, changes nothing the second time;
 * a message that fails is reported and SQS delivers it again (then to the DLQ).
 */
export const handler = invocation(async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const tally = newTally();
  const failures: { itemIdentifier: string }[] = [];
  await withCapacityTally(tally, async () => {
    for (const record of event.Records) {
      try {
        await work(record);
      } catch (error) {
        logger.error('propagation job failed', { messageId: record.messageId, error: error as Error });
        failures.push({ itemIdentifier: record.messageId });
      }
    }
  });
  const line = { messages: event.Records.length, failed: failures.length, dynamoReadUnits: tally.readUnits, dynamoWriteUnits: tally.writeUnits };
  logger.info('propagation batch', line);
  reportCapacity('propagation batch', tally, line);
  return { batchItemFailures: failures };
});

async function work(record: SQSRecord): Promise<void> {
  const parsed = propagationJobSchema.safeParse(JSON.parse(record.body));
  // A message that can never be worked is dropped with a log line rather than retried into the DLQ.
  if (!parsed.success) {
    logger.error('propagation job is malformed', { messageId: record.messageId, issues: parsed.error.issues });
    return;
  }
  const job = parsed.data;
  const content = await currentContent(job.key);
  if (content === undefined) return;
  const page = await documentClient.send(
    new QueryCommand({
      TableName: tableName,
      ...holdersQuery(job.key),
      ExclusiveStartKey: job.after,
      Limit: HOLDERS_PER_JOB,
    }),
  );
  if (page.LastEvaluatedKey !== undefined) {
    const next: PropagationJob = { ...job, after: page.LastEvaluatedKey as Record<string, string> };
    await sqsClient.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(next) }));
  }
  if (job.after === undefined && job.sweep === undefined) {
    const again: PropagationJob = { key: job.key, updatedAt: job.updatedAt, sweep: 2 };
    await sqsClient.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(again), DelaySeconds: SECOND_SWEEP_DELAY_SECONDS }));
  }
  // The index projects the whole holder: one already current (a page worked again, the second sweep) needs no write.
  const holders = (page.Items ?? []).filter((holder) => typeof holder.contentUpdatedAt !== 'string' || holder.contentUpdatedAt < String(content.updatedAt));
  const now = nowIso();
  const outcomes = await mapConcurrently(holders, CONCURRENCY, (holder) => refresh(job.key, holder, content, now));
  logger.info('holders refreshed', { key: job.key, sweep: job.sweep ?? 1, read: page.Items?.length ?? 0, holders: holders.length, refreshed: outcomes.filter(Boolean).length, more: page.LastEvaluatedKey !== undefined });
}

/** Strongly consistent: the job says the item changed, and the copies must get that change. */
async function currentContent(key: string): Promise<Record<string, unknown> | undefined> {
  const output = await documentClient.send(new GetCommand({ TableName: tableName, Key: tableKeyOfContent(key), ConsistentRead: true }));
  return output.Item;
}

/** True when the holder changed; false when it already had this version (or is no longer a holder). */
async function refresh(key: string, holder: Record<string, unknown>, content: Record<string, unknown>, now: string): Promise<boolean> {
  const refreshOf = holderRefreshes[String(holder.entity)];
  if (refreshOf === undefined) {
    logger.warn('holder of unknown kind', { key, entity: holder.entity });
    return false;
  }
  return refreshOf({ PK: String(holder.PK), SK: String(holder.SK) }, key, content, now);
}
