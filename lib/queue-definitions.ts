/**
 * The SQS queues Playhead owns. Each has a dead-letter queue. The CDK data stack and the
 * local runtime both create queues from this list; the key is the logical name used in
 * `.playhead/endpoints.json`, CLIs and environment variables.
 */
export interface QueueDefinition {
  /** Logical name; the DLQ is `<name>-dlq`. */
  name: string;
  /** Environment variable through which functions receive the queue URL. */
  urlEnv: string;
  description: string;
  /** Receives before a message moves to the DLQ. */
  maxReceiveCount: number;
  /** Seconds a received message stays hidden; a work queue's must outlast its consumer's timeout. */
  visibilityTimeoutSeconds?: number;
  /** Days a message is kept (SQS's default is 4, its maximum 14). */
  retentionDays?: number;
  /** Every message is a failure for an operator to look at: one visible message raises an alarm, as in a DLQ. */
  holdsFailures?: boolean;
}

/** The work queue the propagation worker both consumes and sends its next pages to. */
export const PROPAGATION_QUEUE_URL_ENV = 'PROPAGATION_QUEUE_URL';
/** The queue the push sender both consumes and sends its delayed trailing-hint flushes to. */
export const HINT_FLUSHES_QUEUE_URL_ENV = 'HINT_FLUSHES_QUEUE_URL';

export const queueDefinitions = [
  {
    name: 'analytics',
    urlEnv: 'ANALYTICS_QUEUE_URL',
    description: 'BI analytics events: watchlist additions and removals, progress that moved forward',
    maxReceiveCount: 5,
  },
  {
    name: 'changes',
    urlEnv: 'CHANGES_QUEUE_URL',
    description: "One message per change to a user's synced items, so a push service can wake the user's other devices",
    maxReceiveCount: 5,
  },
  {
    name: 'notifications',
    urlEnv: 'NOTIFICATIONS_QUEUE_URL',
    description: "The info packet of a user whose video messages changed (a new one to download, a state of one they sent), for the push sender",
    maxReceiveCount: 5,
  },
  {
    name: 'hint-flushes',
    urlEnv: HINT_FLUSHES_QUEUE_URL_ENV,
    description: "Delayed messages of the push sender to itself: a user whose devices have a change not yet hinted, sent when the trailing sync hint comes due",
    maxReceiveCount: 5,
    // Six times the push sender's timeout, as for every queue that triggers it.
    visibilityTimeoutSeconds: 6 * 20,
  },
  {
    name: 'propagation',
    urlEnv: PROPAGATION_QUEUE_URL_ENV,
    description: 'Work queue: an edited or deleted catalog item, and which page of its holders (queue entries, catalog members) to refresh next',
    maxReceiveCount: 5,
    // Six times the worker's timeout, as AWS advises for queues that trigger Lambda.
    visibilityTimeoutSeconds: 6 * 30,
  },
  {
    name: 'stream-poison',
    urlEnv: 'STREAM_POISON_QUEUE_URL',
    description:
      "Stream records the router set aside because part of their work can never succeed (an image that fails its schema, a message SQS refuses, a feed entry DynamoDB refuses), each with its reason, so they hold back no one else's changes; for an operator, nothing consumes it",
    maxReceiveCount: 5,
    // As long as SQS keeps anything: a poison record may only be noticed days later.
    retentionDays: 14,
    holdsFailures: true,
  },
] as const satisfies readonly QueueDefinition[];

export type QueueName = (typeof queueDefinitions)[number]['name'];

export const dlqName = (name: string): string => `${name}-dlq`;

/** Environment variable that carries the table name to every function that touches it. */
export const TABLE_NAME_ENV = 'TABLE_NAME';
/** Environment variable that carries the media bucket name. */
export const BUCKET_NAME_ENV = 'MEDIA_BUCKET_NAME';
/** Environment variable that carries the secret signing feed cursors (Secrets Manager in AWS). */
export const FEED_CURSOR_SECRET_ENV = 'FEED_CURSOR_SECRET';
/** Environment variable with the deployment secret from which per-purpose keys are derived (Secrets Manager in AWS). */
export const DEPLOYMENT_SECRET_ENV = 'DEPLOYMENT_SECRET';
/** Environment variable with the change feed's retention window in days (default 30). */
export const FEED_RETENTION_DAYS_ENV = 'FEED_RETENTION_DAYS';
