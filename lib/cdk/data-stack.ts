import { Duration, RemovalPolicy, SecretValue, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { MESSAGE_KEY_PREFIX, UNVIEWED_RETENTION_DAYS, VIEWED_RETENTION_DAYS, VIEWED_TAG } from '../../lambdas/messages/message-limits';
import { mediaBucketName } from './media-bucket';
import { dlqName, type QueueName, queueDefinitions } from '../queue-definitions';
import { streamRouterSettings } from '../consumers';
import { type KeyAttribute, tableDefinition } from '../table-definition';
import { pascal } from './construct-ids';

const attribute = (key: KeyAttribute) => ({
  name: key.name,
  type: key.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER,
});


/** SQS keeps a message at most 14 days: the longest anyone gets to inspect a failure. */
const DEAD_LETTER_RETENTION = Duration.days(14);

/**
 * Everything that holds state. It lives apart from the API stack so the API can be torn down
 * and redeployed without touching data; the table, queues and buckets outlive the stack.
 */
export class PlayheadDataStack extends Stack {
  readonly table: Table;
  readonly bucket: Bucket;
  readonly accessLogsBucket: Bucket;
  /** By logical name from lib/queue-definitions.ts. */
  readonly queues: Record<QueueName, Queue>;
  readonly deadLetterQueues: Record<QueueName, Queue>;
  /** On-failure destination of the stream router's event source mapping. */
  readonly failureQueue: Queue;
  /** Signs change-feed cursors; kept with the data because the cursors devices hold depend on it. */
  readonly feedCursorSecret: Secret;
  /** The push sender's APNs key and FCM service account; created empty, filled by an operator (docs/PUSH.md). */
  readonly deploymentSecret: Secret;
  readonly pushCredentialsSecret: Secret;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    this.table = new Table(this, 'Table', {
      partitionKey: attribute(tableDefinition.partitionKey),
      sortKey: attribute(tableDefinition.sortKey),
      billingMode: BillingMode.PAY_PER_REQUEST,
      stream: StreamViewType[tableDefinition.streamViewType],
      timeToLiveAttribute: tableDefinition.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of tableDefinition.localIndexes) {
      this.table.addLocalSecondaryIndex({ indexName: index.indexName, sortKey: attribute(index.sortKey), projectionType: ProjectionType.KEYS_ONLY });
    }
    for (const index of tableDefinition.globalIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: attribute(index.partitionKey),
        sortKey: attribute(index.sortKey),
        projectionType: ProjectionType.ALL,
      });
    }

    const created = queueDefinitions.map((definition) => {
      const deadLetterQueue = new Queue(this, pascal(dlqName(definition.name)), {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: DEAD_LETTER_RETENTION,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      const queue = new Queue(this, pascal(definition.name), {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: definition.maxReceiveCount },
        visibilityTimeout: 'visibilityTimeoutSeconds' in definition ? Duration.seconds(definition.visibilityTimeoutSeconds) : undefined,
        retentionPeriod: 'retentionDays' in definition ? Duration.days(definition.retentionDays) : undefined,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      return { name: definition.name, queue, deadLetterQueue };
    });
    // The map above runs once per definition, so every QueueName has an entry.
    this.queues = Object.fromEntries(created.map((q) => [q.name, q.queue])) as Record<QueueName, Queue>;
    this.deadLetterQueues = Object.fromEntries(created.map((q) => [q.name, q.deadLetterQueue])) as Record<QueueName, Queue>;

    this.failureQueue = new Queue(this, pascal(streamRouterSettings.failureQueueName), {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DEAD_LETTER_RETENTION,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.failureQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter destination of the stream router: Lambda writes the description of records it gave up on here, and nothing consumes it automatically.',
    });

    this.feedCursorSecret = new Secret(this, 'FeedCursorSecret', {
      description: 'Playhead: HMAC key that signs change-feed cursors',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.feedCursorSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the cursor key invalidates every cursor devices hold, forcing all of them into a full resync; it is rotated by hand when compromised, not on a schedule.',
    });

    this.deploymentSecret = new Secret(this, 'DeploymentSecret', {
      description: 'Playhead: the secret per-purpose keys are derived from (gpodder credential hashes, gpodder session cookies)',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.deploymentSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Every gpodder app password is stored as an HMAC under a key derived from this secret: rotating it revokes all of them at once, so it is rotated by hand when compromised, not on a schedule.',
    });

    // An empty JSON object: CloudFormation never writes it again, so the value an operator puts
    // (aws secretsmanager put-secret-value) survives every deploy. Until then nothing is pushed.
    this.pushCredentialsSecret = new Secret(this, 'PushCredentials', {
      description: 'Playhead: APNs signing key and FCM service account of the push sender (JSON, see docs/PUSH.md)',
      secretStringValue: SecretValue.unsafePlainText('{}'),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.pushCredentialsSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'The APNs key and the FCM service account key are issued by Apple and Google, which Secrets Manager cannot rotate; an operator replaces them by hand (docs/PUSH.md).',
    });

    this.accessLogsBucket = new Bucket(this, 'AccessLogsBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // Server access log delivery supports SSE-S3 only, not SSE-KMS.
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // A year of access history for audits; older logs only cost storage.
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.accessLogsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket is the server access log destination; logging access to it would need yet another log bucket, without end.',
    });

    this.bucket = new Bucket(this, 'MediaBucket', {
      bucketName: mediaBucketName(this),
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Uploads arrive through presigned PUTs; versions let an overwrite or delete be undone.
      versioned: true,
      lifecycleRules: [
        { noncurrentVersionExpiration: Duration.days(30), abortIncompleteMultipartUploadAfter: Duration.days(7) },
        // Message videos clean themselves up, with no cron: unviewed ones after the retention
        // period, viewed ones (tagged on view) soon after, replaced or refused ones (deleted,
        // so noncurrent) the next day; multipart uploads that never finish are aborted.
        {
          id: 'MessageVideos',
          prefix: MESSAGE_KEY_PREFIX,
          expiration: Duration.days(UNVIEWED_RETENTION_DAYS),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
        { id: 'ViewedMessageVideos', prefix: MESSAGE_KEY_PREFIX, tagFilters: { [VIEWED_TAG.Key]: VIEWED_TAG.Value }, expiration: Duration.days(VIEWED_RETENTION_DAYS) },
        { id: 'MessageDeleteMarkers', prefix: MESSAGE_KEY_PREFIX, expiredObjectDeleteMarker: true },
      ],
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'media/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Object Created events go to EventBridge, where the API stack's rule picks up message
    // uploads. Set on the bucket resource itself: the L2 `eventBridgeEnabled` would add a
    // custom-resource Lambda to do the same.
    (this.bucket.node.defaultChild as CfnBucket).addPropertyOverride('NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled', true);
  }
}
