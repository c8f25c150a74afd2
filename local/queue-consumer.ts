import { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageBatchCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

type QueueHandler = (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;

export interface QueueConsumerOptions {
  client: SQSClient;
  queueUrl: string;
  queueArn: string;
  region: string;
  handler: QueueHandler;
  /** Receive loops running at once, like concurrent Lambda invocations. */
  concurrency: number;
  /** Seconds a failed message stays hidden before it is delivered again. */
  visibilityTimeoutSeconds: number;
  /** Where a copy of each message goes when first received, for watchers that must not compete with the handler. */
  observedQueueUrl?: string;
  log: (message: string, details?: Record<string, unknown>) => void;
}

/**
 * The laptop stand-in for Lambda's SQS event source mapping: receives batches of up to ten,
 * invokes the handler, and deletes the messages it did not report as failed. A failed message
 * stays on the queue, comes back after the visibility timeout and, past the queue's
 * maxReceiveCount, moves to its DLQ, as in AWS.
 */
export class QueueConsumer {
  private running = false;
  private loops: Promise<void>[] = [];

  constructor(private readonly options: QueueConsumerOptions) {}

  start(): void {
    this.running = true;
    this.loops = Array.from({ length: this.options.concurrency }, () => this.run());
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const output = await this.options.client.send(
          new ReceiveMessageCommand({
            QueueUrl: this.options.queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
            VisibilityTimeout: this.options.visibilityTimeoutSeconds,
            MessageSystemAttributeNames: ['All'],
          }),
        );
        const messages = output.Messages ?? [];
        if (messages.length > 0) await this.deliver(messages);
      } catch (error) {
        this.options.log('queue poll failed', { queueUrl: this.options.queueUrl, error: String(error) });
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  private async deliver(messages: Message[]): Promise<void> {
    const records = messages.map((m) => this.recordOf(m));
    const firstTime = messages.filter((m) => (m.Attributes?.ApproximateReceiveCount ?? '1') === '1');
    if (this.options.observedQueueUrl !== undefined && firstTime.length > 0) {
      await this.options.client
        .send(new SendMessageBatchCommand({ QueueUrl: this.options.observedQueueUrl, Entries: firstTime.map((m, i) => ({ Id: String(i), MessageBody: m.Body ?? '' })) }))
        .catch((error: unknown) => this.options.log('copying to the observed queue failed', { error: String(error) }));
    }
    let failed: Set<string>;
    try {
      const response = await this.options.handler({ Records: records });
      failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch (error) {
      this.options.log('queue handler threw; the batch will be delivered again', { error: String(error) });
      return;
    }
    const done = messages.filter((m) => !failed.has(m.MessageId ?? ''));
    if (failed.size > 0) this.options.log('messages failed; they will be delivered again', { failed: [...failed] });
    if (done.length === 0) return;
    await this.options.client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: this.options.queueUrl,
        Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }

  private recordOf(message: Message): SQSRecord {
    const attributes = message.Attributes ?? {};
    return {
      messageId: message.MessageId ?? '',
      receiptHandle: message.ReceiptHandle ?? '',
      body: message.Body ?? '',
      attributes: {
        ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
        SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
        SenderId: attributes.SenderId ?? 'local',
        ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: message.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: this.options.queueArn,
      awsRegion: this.options.region,
    };
  }
}
