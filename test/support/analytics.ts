import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type AnalyticsEvent, analyticsEventSchema } from '../../lambdas/events/analytics-events';
import { endpoints } from './api';

/**
 * Reads the local analytics queue. Only the analytics test file uses it, so it may consume
 * every message; each test filters by the asset ids it made.
 */
const sqs = new SQSClient({
  endpoint: endpoints.sqs,
  region: endpoints.region,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  useQueueUrlAsEndpoint: false,
});
const queueUrl = endpoints.queues.analytics ?? '';
const seen: { raw: string; event: AnalyticsEvent }[] = [];

async function pump(): Promise<void> {
  const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
  const messages = out.Messages ?? [];
  for (const message of messages) {
    const raw = message.Body ?? '';
    // Every message must match the event module's schema exactly.
    seen.push({ raw, event: analyticsEventSchema.parse(JSON.parse(raw)) });
  }
  if (messages.length > 0) {
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
  } else {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Waits until `expected` events about these assets have arrived, then keeps listening for a
 * quiet period so that any extra (duplicate or unwanted) event is caught too.
 */
export async function analyticsFor(assetIds: string[], expected: number, quietMs = 1500): Promise<{ raw: string; event: AnalyticsEvent }[]> {
  const ids = new Set(assetIds);
  const matching = () => seen.filter((s) => ids.has(s.event.assetId));
  const deadline = Date.now() + 15_000;
  while (matching().length < expected && Date.now() < deadline) await pump();
  const quietUntil = Date.now() + quietMs;
  while (Date.now() < quietUntil) await pump();
  return matching();
}
