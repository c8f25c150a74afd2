import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { endpoints } from './api';

const sqs = new SQSClient({
  endpoint: endpoints.sqs,
  region: endpoints.region,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  useQueueUrlAsEndpoint: false,
});

/**
 * Reads one local queue, consuming every message. Each queue has one test file that reads it,
 * and tests filter by the ids they made.
 */
export function queueReader<T>(queueName: string, parse: (body: unknown) => T) {
  // A queue the push sender consumes is read through its local copy, so the test never takes a message from the sender.
  const queueUrl = endpoints.queues[`${queueName}-observed`] ?? endpoints.queues[queueName] ?? '';
  const seen: { raw: string; message: T }[] = [];

  async function pump(): Promise<void> {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    const messages = out.Messages ?? [];
    for (const message of messages) {
      const raw = message.Body ?? '';
      seen.push({ raw, message: parse(JSON.parse(raw)) });
    }
    if (messages.length > 0) {
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
    } else {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /**
   * Waits until `expected` matching messages have arrived, then keeps listening for a quiet
   * period so that any extra (duplicate or unwanted) message is caught too.
   */
  return async function messagesWhere(match: (message: T) => boolean, expected: number, quietMs = 1500) {
    const matching = () => seen.filter((s) => match(s.message));
    const deadline = Date.now() + 15_000;
    while (matching().length < expected && Date.now() < deadline) await pump();
    const quietUntil = Date.now() + quietMs;
    while (Date.now() < quietUntil) await pump();
    return matching();
  };
}
