/**
 * The consumer table: every function that is not an HTTP route exists here once, with what
 * triggers it. The CDK API stack creates one Lambda per entry and its event source, the local
 * stack runs the same handler behind the laptop stand-in for that trigger (stream poller, SQS
 * consumer, upload bridge), and the bundler builds and measures it. Pure data, like
 * lib/routes.ts: no CDK here.
 */
import { MESSAGE_KEY_PREFIX } from '../lambdas/messages/message-limits';
import { DEVICE_ENTITY, DEVICE_SET_ENTITY, PUSH_TOKEN_ENTITY } from '../lambdas/devices/device-item';
import { FEED_ENTRY_ENTITY } from '../lambdas/sync/feed-entry';
import { EPISODE_GUID_LOOKUP_ENTITY, EPISODE_URL_LOOKUP_ENTITY, FEED_URL_LOOKUP_ENTITY } from '../lambdas/catalog/catalog-lookups';
import { GPODDER_CREDENTIAL_ENTITY, GPODDER_CREDENTIAL_SET_ENTITY, GPODDER_LOGIN_ENTITY } from '../lambdas/gpodder/credential-item';
import { GPODDER_DEVICE_ENTITY, GPODDER_EPISODE_ENTITY, GPODDER_READ_MARK_ENTITY, GPODDER_SUBSCRIPTION_ENTITY } from '../lambdas/gpodder/gpodder-entities';
import { SYNC_DEVICE_ENTITY, SYNC_SESSION_ENTITY } from '../lambdas/sync/sync-session-item';
import type { QueueName } from './queue-definitions';
import type { RouteDefinition } from './routes';

/** The table's stream (Lambda's DynamoDB event source mapping; the stream poller locally). */
export interface StreamTrigger {
  kind: 'stream';
  startingPosition: 'TRIM_HORIZON' | 'LATEST';
  /** Records per batch, at most. */
  batchSize: number;
  /** Seconds Lambda may wait to fill a batch. */
  maxBatchingWindowSeconds: number;
  /** A failing batch is split in two and each half retried, to isolate the record that fails. */
  bisectBatchOnError: boolean;
  /** Retries of a failing batch before its records go to the failure destination. */
  retryAttempts: number;
  /** The handler answers partial batch failures (`batchItemFailures`). */
  reportBatchItemFailures: boolean;
  /**
   * Queue that receives the description of records that could not be processed. Created by the
   * data stack (construct id from the name) and handed to the API stack as `failureQueue`.
   */
  failureQueueName: string;
  /**
   * Records of items of these entities never reach the handler (Lambda event filtering; the
   * local poller alike, lib/stream-filter.ts). Records of items without an entity do not either.
   */
  ignoredEntities?: readonly string[];
}

/** A queue of lib/queue-definitions.ts (Lambda's SQS event source mapping; QueueConsumer locally). */
export interface QueueTrigger {
  kind: 'queue';
  queue: QueueName;
  /** Messages per invocation, at most. */
  batchSize: number;
  reportBatchItemFailures: boolean;
  /**
   * Receive loops running at once on a laptop. In AWS no maximum is set: Lambda scales the
   * pollers on its own. A failed message comes back locally after the consumer's timeout (as
   * long as one message can take in Lambda) rather than the queue's visibility timeout.
   */
  localConcurrency: number;
  /** Invocations at once for this source, at most (SQS event sources take 2 to 1000); unset, Lambda scales freely. */
  maxConcurrency?: number;
}

/** Several queues feeding one function, each with its own event source (and settings). */
export interface QueuesTrigger {
  kind: 'queues';
  sources: readonly Omit<QueueTrigger, 'kind'>[];
}

/**
 * S3 Object Created events of the media bucket under a key prefix, through EventBridge (an
 * EventBridge rule targeting the function; the upload bridge locally).
 */
export interface BucketEventsTrigger {
  kind: 'bucket-events';
  /** Object keys under this prefix only. */
  prefix: string;
  /** Construct id and description of the EventBridge rule. Renaming the id replaces the rule. */
  rule: { id: string; description: string };
  /** EventBridge's retries of a failed invocation, and how old an event may get, before the DLQ. */
  retryAttempts: number;
  maxEventAgeHours: number;
  /** Construct id of the rule's dead-letter queue. Renaming it replaces the queue. */
  deadLetterQueueId: string;
  /** Attempts per event on a laptop. */
  localAttempts: number;
}

export type ConsumerTrigger = StreamTrigger | QueueTrigger | QueuesTrigger | BucketEventsTrigger;

export interface ConsumerDefinition {
  /** Stable id: the CDK construct id and the function name suffix. Renaming replaces the function. */
  id: string;
  /** Handler module (exports `handler`), relative to the repository root. */
  entry: string;
  /** The function's description in AWS. */
  description: string;
  trigger: ConsumerTrigger;
  /** A consumer handles a whole batch, so it may need longer than a route's 10 s. */
  timeoutSeconds: number;
  /** The least table access the handler needs. */
  table: RouteDefinition['table'];
  /** Access to message videos in the media bucket, as for routes. */
  media?: RouteDefinition['media'];
  /** Queues the handler sends to (by logical name). */
  sendsTo?: readonly QueueName[];
  /** The handler sets or checks feed entries' expiry and needs the change feed's retention. */
  feedRetention?: boolean;
  /** The handler sends pushes: APNs and FCM endpoints, and the push credentials secret (lib/push-definitions.ts). */
  pushDelivery?: boolean;
}

export const consumers = {
  streamRouter: {
    id: 'StreamRouter',
    entry: 'lambdas/stream-router/handler.ts',
    description: 'Numbers table changes into the change feed; sends change notices and analytics events',
    trigger: {
      kind: 'stream',
      startingPosition: 'TRIM_HORIZON',
      batchSize: 100,
      maxBatchingWindowSeconds: 1,
      bisectBatchOnError: true,
      retryAttempts: 10,
      reportBatchItemFailures: true,
      failureQueueName: 'stream-router-failures',
      // Bookkeeping the router never acts on: its own feed entries (written, rewritten, removed,
      // expired), push devices and tokens (a push updates its device), sync sessions and positions,
      // gpodder credentials (a sign-in notes its use), the catalog's look-up items.
      ignoredEntities: [
        FEED_ENTRY_ENTITY,
        DEVICE_ENTITY,
        PUSH_TOKEN_ENTITY,
        DEVICE_SET_ENTITY,
        SYNC_SESSION_ENTITY,
        SYNC_DEVICE_ENTITY,
        GPODDER_CREDENTIAL_ENTITY,
        GPODDER_LOGIN_ENTITY,
        GPODDER_CREDENTIAL_SET_ENTITY,
        // The gpodder surface's own state: its devices, subscriptions, episode actions and read marks.
        GPODDER_DEVICE_ENTITY,
        GPODDER_SUBSCRIPTION_ENTITY,
        GPODDER_EPISODE_ENTITY,
        GPODDER_READ_MARK_ENTITY,
        FEED_URL_LOOKUP_ENTITY,
        EPISODE_GUID_LOOKUP_ENTITY,
        EPISODE_URL_LOOKUP_ENTITY,
      ],
    },
    // A batch of up to batchSize records, sent to SQS ten at a time.
    timeoutSeconds: 30,
    table: 'readwrite',
    sendsTo: ['analytics', 'changes', 'propagation', 'notifications', 'stream-poison'],
    feedRetention: true,
  },
  /** Confirms message uploads from the media bucket's Object Created events (EventBridge). */
  uploadConfirmer: {
    id: 'UploadConfirmer',
    entry: 'lambdas/messages/upload-events.ts',
    description: 'Confirms video message uploads from the media bucket\'s Object Created events',
    trigger: {
      kind: 'bucket-events',
      prefix: MESSAGE_KEY_PREFIX,
      rule: { id: 'UploadCreated', description: 'Video message uploads to the media bucket' },
      retryAttempts: 8,
      maxEventAgeHours: 2,
      deadLetterQueueId: 'UploadEventFailures',
      localAttempts: 3,
    },
    timeoutSeconds: 30,
    table: 'readwrite',
    media: 'readwrite',
  },
  /** Refreshes the copies of an edited catalog item; sends itself the next page of holders. */
  propagationWorker: {
    id: 'PropagationWorker',
    entry: 'lambdas/propagation/handler.ts',
    description: 'Refreshes the copies of an edited catalog item in queues and curated catalogs, a page of holders per message',
    // Failed messages come back by SQS's own redelivery, then go to the queue's DLQ.
    trigger: { kind: 'queue', queue: 'propagation', batchSize: 10, reportBatchItemFailures: true, localConcurrency: 4 },
    // The work queue's visibility timeout is six times this (lib/queue-definitions.ts).
    timeoutSeconds: 30,
    table: 'readwrite',
    sendsTo: ['propagation'],
  },
  /**
   * Sends info packets and sync hints to devices through APNs and FCM. Two invocations at once
   * per source bound the connections to the push services; one HTTP/2 connection carries many
   * pushes at once.
   */
  pushSender: {
    id: 'PushSender',
    entry: 'lambdas/push/handler.ts',
    description: 'Sends info packets and sync hints to registered devices through APNs and FCM',
    trigger: {
      kind: 'queues',
      sources: [
        { queue: 'notifications', batchSize: 10, reportBatchItemFailures: true, localConcurrency: 2, maxConcurrency: 2 },
        { queue: 'changes', batchSize: 10, reportBatchItemFailures: true, localConcurrency: 2, maxConcurrency: 2 },
        { queue: 'hint-flushes', batchSize: 10, reportBatchItemFailures: true, localConcurrency: 2, maxConcurrency: 2 },
      ],
    },
    // Within the 30 s visibility timeout of the notifications and changes queues, as Lambda requires.
    timeoutSeconds: 20,
    table: 'readwrite',
    sendsTo: ['hint-flushes'],
    pushDelivery: true,
  },
} as const satisfies Record<string, ConsumerDefinition>;

/** How the stream router consumes the table's stream, read by the local poller, the data stack and the bench. */
export const streamRouterSettings = consumers.streamRouter.trigger;
