import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';
import { BUCKET_NAME_ENV, FEED_CURSOR_SECRET_ENV, queueDefinitions, TABLE_NAME_ENV } from '../lib/queue-definitions';
import { type ConsumerDefinition, consumers } from '../lib/consumers';
import { routes } from '../lib/routes';
import { startDynamoDbLocal } from './dynamodb-local';
import { freePort } from './free-port';
import { startGateway } from './gateway';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, loadOrCreateSigningKey } from './local-auth';
import { repoRoot, stateFiles } from './paths';
import { loadOrCreateSecret } from './local-secret';
import { writeStateFile } from './state-file';
import { ensureTable, provisionMessaging } from './provision';
import { QueueConsumer } from './queue-consumer';
import { StreamPoller } from './stream-poller';
import { UploadBridge } from './upload-bridge';
import { sqsSafeJson } from '../lambdas/stream-router/sqs-safe-json';

export interface LocalStackOptions {
  stateDir: string;
  /** Gateway port; 0 picks a free one. */
  port: number;
  dynamodbPort?: number;
  messagingPort?: number;
  region?: string;
  log?: (line: string) => void;
}

export interface Endpoints {
  api: string;
  jwks: string;
  issuer: string;
  audience: string;
  dynamodb: string;
  sqs: string;
  s3: string;
  region: string;
  tableName: string;
  bucketName: string;
  queues: Record<string, string>;
}

export interface LocalStack {
  endpoints: Endpoints;
  stop(): Promise<void>;
}

const RESOURCE_PREFIX = 'playhead';

/** What runs a consumer's handler on a laptop: the stand-in for its trigger. */
interface ConsumerRunner {
  start(): void;
  stop(): Promise<void>;
}

/**
 * The whole backend on a laptop: DynamoDB Local, the SQS/S3 emulator, the resources the CDK
 * stacks declare, the gateway in front of the unchanged handlers, and the stream poller.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const log = options.log ?? ((line: string) => console.error(line));
  const files = stateFiles(options.stateDir);
  mkdirSync(options.stateDir, { recursive: true });
  const region = options.region ?? 'us-east-1';
  const tableName = `${RESOURCE_PREFIX}-table`;
  const bucketName = `${RESOURCE_PREFIX}-media`;

  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    const [dynamo, messaging, signingKey] = await Promise.all([
      (async () => startDynamoDbLocal({ port: options.dynamodbPort || (await freePort()), dataDir: files.dynamodbData }))(),
      // The spy lets the upload bridge see new objects; the emulator sends no bucket events itself.
      startFauxqs({ port: options.messagingPort ?? 0, logger: false, defaultRegion: region, messageSpies: { bufferSize: 100 } }),
      loadOrCreateSigningKey(files.signingKey),
    ]);
    stops.push(() => dynamo.stop(), () => messaging.stop());
    const queues = provisionMessaging(messaging, RESOURCE_PREFIX, bucketName);
    // A stream consumer's on-failure destination, which the data stack creates in AWS.
    for (const { trigger } of Object.values(consumers) as readonly ConsumerDefinition[]) {
      if (trigger.kind === 'stream') queues[trigger.failureQueueName] = messaging.createQueue(`${RESOURCE_PREFIX}-${trigger.failureQueueName}`).queueUrl;
    }

    // The handlers read their configuration from the environment, exactly as in Lambda.
    const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    Object.assign(process.env, {
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SQS: messaging.address,
      AWS_ENDPOINT_URL_S3: messaging.address,
      [TABLE_NAME_ENV]: tableName,
      [FEED_CURSOR_SECRET_ENV]: loadOrCreateSecret(files.feedCursorSecret),
      [BUCKET_NAME_ENV]: bucketName,
      ...Object.fromEntries(queueDefinitions.map((q) => [q.urlEnv, queues[q.name]])),
    });

    const dynamoClient = new DynamoDBClient({ endpoint: dynamo.endpoint, region, credentials });
    const streamArn = await ensureTable(dynamoClient, tableName);
    dynamoClient.destroy();

    const gateway = await startGateway({ routes, publicJwk: signingKey.publicJwk, issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE, port: options.port });
    stops.push(() => new Promise<void>((resolve) => gateway.server.close(() => resolve())));

    const sqs = new SQSClient({ endpoint: messaging.address, region, credentials, useQueueUrlAsEndpoint: false });
    const warn = (source: string) => (message: string, details?: Record<string, unknown>) => log(JSON.stringify({ level: 'WARN', source, message, ...details }));

    // Each entry of lib/consumers.ts, fed by the laptop stand-in for its trigger.
    const runnerFor = (consumer: ConsumerDefinition, handler: unknown): ConsumerRunner => {
      const { trigger } = consumer;
      switch (trigger.kind) {
        case 'stream': {
          const failureQueue = queues[trigger.failureQueueName] as string;
          return new StreamPoller({
            client: new DynamoDBStreamsClient({ endpoint: dynamo.endpoint, region, credentials }),
            streamArn,
            handler: handler as ConstructorParameters<typeof StreamPoller>[0]['handler'],
            batchSize: trigger.batchSize,
            retryAttempts: trigger.retryAttempts,
            checkpointFile: files.streamCheckpoints,
            // Like Lambda's on-failure destination: where the records are, not what they hold.
            onDiscard: async (records, reason) => {
              const body = {
                reason,
                streamArn,
                records: records.map((r) => ({ eventID: r.eventID, sequenceNumber: r.dynamodb?.SequenceNumber, keys: r.dynamodb?.Keys })),
              };
              await sqs.send(new SendMessageCommand({ QueueUrl: failureQueue, MessageBody: sqsSafeJson(body) }));
            },
            log: warn('stream-poller'),
          });
        }
        case 'queue': {
          // As Lambda's SQS event source would; a failed message comes back after the
          // consumer's timeout (as long as one message can take in Lambda), not the queue's.
          const queueUrl = queues[trigger.queue] as string;
          return new QueueConsumer({
            client: sqs,
            queueUrl,
            queueArn: `arn:aws:sqs:${region}:000000000000:${queueUrl.split('/').at(-1)}`,
            region,
            handler: handler as ConstructorParameters<typeof QueueConsumer>[0]['handler'],
            concurrency: trigger.localConcurrency,
            visibilityTimeoutSeconds: consumer.timeoutSeconds,
            log: warn('queue-consumer'),
          });
        }
        case 'bucket-events':
          // Uploads reach the handler as S3's Object Created events do through EventBridge.
          return new UploadBridge({
            spy: messaging.spy,
            bucket: bucketName,
            prefix: trigger.prefix,
            region,
            handler: handler as ConstructorParameters<typeof UploadBridge>[0]['handler'],
            attempts: trigger.localAttempts,
            log: warn('upload-bridge'),
          });
      }
    };
    for (const consumer of Object.values(consumers) as readonly ConsumerDefinition[]) {
      const { handler } = (await import(pathToFileURL(path.join(repoRoot, consumer.entry)).href)) as { handler: unknown };
      const runner = runnerFor(consumer, handler);
      runner.start();
      stops.push(() => runner.stop());
    }

    const endpoints: Endpoints = {
      api: gateway.url,
      jwks: `${gateway.url}/.well-known/jwks.json`,
      issuer: LOCAL_ISSUER,
      audience: LOCAL_AUDIENCE,
      dynamodb: dynamo.endpoint,
      sqs: messaging.address,
      s3: messaging.address,
      region,
      tableName,
      bucketName,
      queues,
    };
    // Tools and tests read it as soon as it exists: it must never be seen half-written.
    writeStateFile(files.endpoints, `${JSON.stringify(endpoints, null, 2)}\n`);
    return { endpoints, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
