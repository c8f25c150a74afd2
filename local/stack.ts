import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';
import { BUCKET_NAME_ENV, DEPLOYMENT_SECRET_ENV, FEED_CURSOR_SECRET_ENV, queueDefinitions, TABLE_NAME_ENV } from '../lib/queue-definitions';
import { type ConsumerDefinition, consumers, type QueueTrigger } from '../lib/consumers';
import { routes } from '../lib/routes';
import { startDynamoDbLocal } from './dynamodb-local';
import { freePort } from './free-port';
import { withLambdaContext } from './lambda-context';
import { startGateway } from './gateway';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, loadOrCreateSigningKey } from './local-auth';
import { repoRoot, stateFiles } from './paths';
import { loadOrCreateSecret } from './local-secret';
import { writeStateFile } from './state-file';
import { ensureTable, provisionMessaging } from './provision';
import { QueueConsumer } from './queue-consumer';
import { StreamPoller } from './stream-poller';
import { passesStreamFilter } from '../lib/stream-filter';
import { UploadBridge } from './upload-bridge';
import { loadOrCreatePushCredentials } from './push-credentials';
import { type PushFakeEndpoints, startPushFakes } from './push-fakes';
import { pushEnv, SECRETS_EXTENSION_PORT_ENV } from '../lib/push-definitions';
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
  /** The push fakes (local/push-fakes.ts) and what the push sender is given to reach them. */
  push: PushFakeEndpoints & { secretId: string; sessionToken: string };
}

export interface LocalStack {
  endpoints: Endpoints;
  stop(): Promise<void>;
}

const RESOURCE_PREFIX = 'playhead';

/**
 * Queues that have a consumer and that people and tests also watch: their consumer copies
 * each message it receives (the first time) to `<name>-observed`, locally only, so watching
 * never takes a message from the consumer.
 */
const OBSERVED_QUEUES = ['notifications', 'changes'] as const;
export const observedQueueName = (name: string): string => `${name}-observed`;

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
    // Push credentials come from the secrets extension's HTTP API, served here as in a Lambda sandbox.
    const push = { secretId: `${RESOURCE_PREFIX}-push-credentials`, sessionToken: 'playhead-local-session' };
    const [dynamo, messaging, signingKey, pushFakes] = await Promise.all([
      (async () => startDynamoDbLocal({ port: options.dynamodbPort || (await freePort()), dataDir: files.dynamodbData }))(),
      // The spy lets the upload bridge see new objects; the emulator sends no bucket events itself.
      startFauxqs({ port: options.messagingPort ?? 0, logger: false, defaultRegion: region, messageSpies: { bufferSize: 100 } }),
      loadOrCreateSigningKey(files.signingKey),
      (async () => startPushFakes({ credentials: await loadOrCreatePushCredentials(files.pushCredentials), ...push }))(),
    ]);
    stops.push(() => dynamo.stop(), () => messaging.stop(), () => pushFakes.stop());
    const queues = provisionMessaging(messaging, RESOURCE_PREFIX, bucketName);
    // Copies of what the push sender consumes, for `npm run tail` and the tests to watch.
    for (const name of OBSERVED_QUEUES) queues[observedQueueName(name)] = messaging.createQueue(`${RESOURCE_PREFIX}-${observedQueueName(name)}`).queueUrl;
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
      [DEPLOYMENT_SECRET_ENV]: loadOrCreateSecret(files.deploymentSecret, 'gpodder app passwords made before stop signing in (make new ones)'),
      [BUCKET_NAME_ENV]: bucketName,
      ...Object.fromEntries(queueDefinitions.map((q) => [q.urlEnv, queues[q.name]])),
      AWS_SESSION_TOKEN: push.sessionToken,
      [SECRETS_EXTENSION_PORT_ENV]: String(pushFakes.endpoints.secretsPort),
      [pushEnv.credentialsSecretId]: push.secretId,
      [pushEnv.apnsEndpoint]: pushFakes.endpoints.apns,
      [pushEnv.apnsSandboxEndpoint]: pushFakes.endpoints.apns,
      [pushEnv.fcmEndpoint]: pushFakes.endpoints.fcm,
      [pushEnv.fcmTokenEndpoint]: pushFakes.endpoints.fcmToken,
    });

    const dynamoClient = new DynamoDBClient({ endpoint: dynamo.endpoint, region, credentials });
    const streamArn = await ensureTable(dynamoClient, tableName);
    dynamoClient.destroy();

    const gateway = await startGateway({ routes, publicJwk: signingKey.publicJwk, issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE, port: options.port });
    stops.push(() => new Promise<void>((resolve) => gateway.server.close(() => resolve())));

    const sqs = new SQSClient({ endpoint: messaging.address, region, credentials, useQueueUrlAsEndpoint: false });
    const warn = (source: string) => (message: string, details?: Record<string, unknown>) => log(JSON.stringify({ level: 'WARN', source, message, ...details }));

    // As Lambda's SQS event source would; a failed message comes back after the consumer's
    // timeout (as long as one message can take in Lambda), not the queue's.
    const queueRunner = (consumer: ConsumerDefinition, source: Omit<QueueTrigger, 'kind'>, handler: unknown): ConsumerRunner => {
      const queueUrl = queues[source.queue] as string;
      return new QueueConsumer({
        client: sqs,
        queueUrl,
        queueArn: `arn:aws:sqs:${region}:000000000000:${queueUrl.split('/').at(-1)}`,
        region,
        handler: handler as ConstructorParameters<typeof QueueConsumer>[0]['handler'],
        concurrency: source.localConcurrency,
        visibilityTimeoutSeconds: consumer.timeoutSeconds,
        observedQueueUrl: queues[observedQueueName(source.queue)],
        log: warn('queue-consumer'),
      });
    };

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
            passes: (record) => passesStreamFilter(trigger, record),
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
        case 'queue':
          return queueRunner(consumer, trigger, handler);
        case 'queues': {
          const runners = trigger.sources.map((source) => queueRunner(consumer, source, handler));
          return {
            start: () => {
              for (const runner of runners) runner.start();
            },
            stop: async () => {
              await Promise.all(runners.map((runner) => runner.stop()));
            },
          };
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
      const runner = runnerFor(consumer, withLambdaContext(consumer.id, handler));
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
      push: { ...pushFakes.endpoints, ...push },
    };
    // Tools and tests read it as soon as it exists: it must never be seen half-written.
    writeStateFile(files.endpoints, `${JSON.stringify(endpoints, null, 2)}\n`);
    return { endpoints, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
