import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { mapConcurrently } from '../shared/concurrency';
import { logger } from '../shared/logger';
import { isPermanentError } from '../shared/permanent-errors';
import { sqsClient } from '../shared/sqs';
import { sqsSafeJson } from './sqs-safe-json';

/** SendMessageBatch takes at most ten entries… */
const SQS_BATCH_SIZE = 10;
/** …of at most 256 KiB together (with room for the request's own framing). */
const SQS_BATCH_BYTES = 240 * 1024;
/**
 * Batches in flight at once, over every queue. The queues are standard queues, which keep no
 * order, so sending one batch after another only added their round trips up.
 */
const SENDS_IN_FLIGHT = 8;

/** A message that follows from the change at `changeIndex` of the stream batch. */
export interface Outgoing {
  queueUrl: string;
  changeIndex: number;
  body: unknown;
}

export interface SendResult {
  /** The lowest change whose message may go through later (throttled, a service fault): retry from there. */
  failedAt: number | undefined;
  /** Messages SQS refused for what they are; sending them again would fail the same way. */
  refused: Array<{ message: Outgoing; reason: string }>;
}

interface Encoded {
  message: Outgoing;
  text: string;
}

/** Sends every message, in batches of at most ten and SQS_BATCH_BYTES per queue, several batches at once. */
export async function sendAll(messages: readonly Outgoing[]): Promise<SendResult & { requests: number }> {
  const chunks: Encoded[][] = [];
  const open = new Map<string, { chunk: Encoded[]; bytes: number }>();
  for (const message of messages) {
    const text = sqsSafeJson(message.body);
    const size = Buffer.byteLength(text);
    let current = open.get(message.queueUrl);
    if (current === undefined || current.chunk.length === SQS_BATCH_SIZE || current.bytes + size > SQS_BATCH_BYTES) {
      current = { chunk: [], bytes: 0 };
      open.set(message.queueUrl, current);
      chunks.push(current.chunk);
    }
    current.chunk.push({ message, text });
    current.bytes += size;
  }
  let requests = 0;
  const results = await mapConcurrently(chunks, SENDS_IN_FLIGHT, (chunk) =>
    sendChunk(chunk, () => {
      requests += 1;
    }),
  );
  return { ...merge(results), requests };
}

function merge(results: readonly SendResult[]): SendResult {
  const failed = results.map((r) => r.failedAt).filter((i): i is number => i !== undefined);
  return { failedAt: failed.length > 0 ? Math.min(...failed) : undefined, refused: results.flatMap((r) => r.refused) };
}

async function sendChunk(chunk: readonly Encoded[], counted: () => void): Promise<SendResult> {
  const queueUrl = chunk[0]?.message.queueUrl ?? '';
  try {
    counted();
    const output = await sqsClient.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: chunk.map((e, i) => ({ Id: String(i), MessageBody: e.text })) }));
    const refused: SendResult['refused'] = [];
    const retry: number[] = [];
    for (const failure of output.Failed ?? []) {
      const entry = chunk[Number(failure.Id)];
      if (entry === undefined) continue;
      // SenderFault: this entry itself is at fault (InvalidMessageContents, too long); otherwise SQS's own trouble.
      if (failure.SenderFault === true) refused.push({ message: entry.message, reason: `SQS refused the message: ${failure.Code}: ${failure.Message ?? ''}` });
      else retry.push(entry.message.changeIndex);
    }
    if (retry.length > 0) logger.warn('messages not accepted for now', { queueUrl, failed: output.Failed });
    return { failedAt: retry.length > 0 ? Math.min(...retry) : undefined, refused };
  } catch (error) {
    if (isPermanentError(error)) {
      // The whole request was refused for its content: one message at a time tells which.
      if (chunk.length > 1) return merge(await Promise.all(chunk.map((entry) => sendChunk([entry], counted))));
      const only = chunk[0];
      if (only !== undefined) return { failedAt: undefined, refused: [{ message: only.message, reason: `SQS refused the message: ${(error as Error).name}: ${(error as Error).message}` }] };
    }
    logger.error('message batch failed', { queueUrl, error: error as Error });
    return { failedAt: Math.min(...chunk.map((e) => e.message.changeIndex)), refused: [] };
  }
}
