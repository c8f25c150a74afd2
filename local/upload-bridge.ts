import type { MessageSpyReader, SpyMessage } from 'fauxqs';

type UploadHandler = (event: ObjectCreatedEvent) => Promise<unknown>;

/** The EventBridge "Object Created" event S3 sends in AWS, with the fields Playhead reads. */
export interface ObjectCreatedEvent {
  version: '0';
  id: string;
  'detail-type': 'Object Created';
  source: 'aws.s3';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: { version: '0'; bucket: { name: string }; object: { key: string }; reason: 'PutObject' };
}

export interface UploadBridgeOptions {
  spy: MessageSpyReader;
  bucket: string;
  prefix: string;
  region: string;
  handler: UploadHandler;
  /** Attempts per event, as EventBridge retries a failed target. */
  attempts: number;
  log: (message: string, details?: Record<string, unknown>) => void;
}

/**
 * The laptop stand-in for S3 → EventBridge → Lambda. The emulator sends no bucket events, but
 * its spy sees every upload; the bridge turns each new object under the prefix into the event
 * AWS would deliver and invokes the unchanged handler, retrying a failure a few times.
 */
export class UploadBridge {
  private running = false;
  private work: Promise<void> = Promise.resolve();
  private sequence = 0;

  constructor(private readonly options: UploadBridgeOptions) {}

  start(): void {
    this.running = true;
    // A waiter whose filter never matches sees every event from now on, once, as it happens.
    this.options.spy
      .waitForMessage((message) => {
        if (this.running && isUpload(message, this.options.bucket, this.options.prefix)) this.enqueue((message as { key: string }).key);
        return false;
      })
      .catch((error: unknown) => {
        // Only stopping clears the spy; anything else means uploads would go unconfirmed.
        if (this.running) this.options.log('upload bridge stopped listening', { error: String(error) });
      });
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.work;
  }

  private enqueue(key: string): void {
    const event = this.eventFor(key);
    this.work = this.work.then(() => this.deliver(event));
  }

  private async deliver(event: ObjectCreatedEvent): Promise<void> {
    for (let attempt = 1; attempt <= this.options.attempts && this.running; attempt++) {
      try {
        await this.options.handler(event);
        return;
      } catch (error) {
        this.options.log('upload handler failed', { key: event.detail.object.key, attempt, error: String(error) });
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  }

  private eventFor(key: string): ObjectCreatedEvent {
    return {
      version: '0',
      id: `local-${++this.sequence}`,
      'detail-type': 'Object Created',
      source: 'aws.s3',
      account: '000000000000',
      time: new Date().toISOString(),
      region: this.options.region,
      resources: [`arn:aws:s3:::${this.options.bucket}`],
      detail: { version: '0', bucket: { name: this.options.bucket }, object: { key }, reason: 'PutObject' },
    };
  }
}

function isUpload(message: SpyMessage, bucket: string, prefix: string): boolean {
  return message.service === 's3' && message.status === 'uploaded' && message.bucket === bucket && message.key.startsWith(prefix);
}
