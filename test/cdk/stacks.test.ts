import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { COUNTRY_CLAIM_ENV } from '../../lambdas/shared/principal';
import { PlayheadApiStack } from '../../lib/cdk/api-stack';
import { defaultStageThrottle as stageThrottle } from '../../lib/throttle';
import { lambdaRuntimeTarget } from '../../lib/bundling';
import { PlayheadDataStack } from '../../lib/cdk/data-stack';
import { repoRoot } from '../../lib/cdk/playhead-function';
import { routeStackOf } from '../../lib/cdk/route-stacks';
import { DEPLOYMENT_SECRET_ENV, FEED_CURSOR_SECRET_ENV, FEED_RETENTION_DAYS_ENV, queueDefinitions, TABLE_NAME_ENV } from '../../lib/queue-definitions';
import { MESSAGE_KEY_PREFIX, UNVIEWED_RETENTION_DAYS, VIEWED_RETENTION_DAYS, VIEWED_TAG } from '../../lambdas/messages/message-limits';
import { type RouteDefinition, routes } from '../../lib/routes';
import { streamFilterPatterns } from '../../lib/stream-filter';
import { consumers, streamRouterSettings } from '../../lib/consumers';
import { tableDefinition } from '../../lib/table-definition';

type Resource = { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

/** The same feature flags `cdk synth` reads, so the tests see the templates that deploy. */
const cdkContext = (JSON.parse(readFileSync(path.join(repoRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

function buildApp(context: Record<string, unknown> = {}) {
  const app = new App({ context: { ...cdkContext, ...context } });
  const data = new PlayheadDataStack(app, 'Playhead-Data');
  const api = new PlayheadApiStack(app, 'Playhead-Api', { table: data.table, queues: data.queues, failureQueue: data.failureQueue, feedCursorSecret: data.feedCursorSecret, pushCredentialsSecret: data.pushCredentialsSecret, deploymentSecret: data.deploymentSecret });
  return { app, data, api };
}

/** Skips esbuild: for variants where only the wiring differs from the fully bundled app. */
const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

/** Logical id of an L2 construct's CloudFormation resource in its own stack. */
const logicalIdOf = (construct: IConstruct) => Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
const resourcesOf = (template: Template) => template.toJSON().Resources as Record<string, Resource>;
const ofType = (template: Template, type: string) => Object.entries(resourcesOf(template)).filter(([, r]) => r.Type === type);
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/** Every Allow statement in the policies attached to a role. */
function allowedStatements(template: Template, roleLogicalId: string): Statement[] {
  return ofType(template, 'AWS::IAM::Policy')
    .filter(([, r]) => JSON.stringify(r.Properties?.Roles) === JSON.stringify([{ Ref: roleLogicalId }]))
    .flatMap(([, r]) => (r.Properties?.PolicyDocument as { Statement: Statement[] } | undefined)?.Statement ?? [])
    .filter((s) => s.Effect === 'Allow');
}

/**
 * The API stack's template with the resources of its route stacks (lib/cdk/route-stacks.ts)
 * beside its own: what is asked of every route holds wherever the route is deployed.
 */
function withRouteStacks(stack: PlayheadApiStack): Template {
  const json = structuredClone(Template.fromStack(stack).toJSON()) as { Resources: Record<string, Resource> };
  for (const nested of Object.values(stack.routeStacks)) {
    for (const [logicalId, resource] of Object.entries(resourcesOf(Template.fromStack(nested)))) {
      if (json.Resources[logicalId] !== undefined) throw new Error(`${logicalId} is in the API stack and in route stack ${nested.node.id}`);
      json.Resources[logicalId] = resource;
    }
  }
  return Template.fromJSON(json, { skipCyclicalDependenciesCheck: true });
}

const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

let app: App;
let data: PlayheadDataStack;
let api: PlayheadApiStack;
let dataTemplate: Template;
let apiTemplate: Template;

// NodejsFunction runs esbuild for every function at synthesis: build the app once (about 40 s
// on two cores alone, twice that beside other work).
beforeAll(() => {
  ({ app, data, api } = buildApp());
  dataTemplate = Template.fromStack(data);
  apiTemplate = withRouteStacks(api);
}, 300_000);

const functionOf = (id: string) => {
  const fn = api.functions[id];
  if (fn === undefined) throw new Error(`no function ${id}`);
  return fn;
};
const functionLogicalId = (id: string) => logicalIdOf(functionOf(id).fn);
const roleLogicalId = (id: string) => logicalIdOf(functionOf(id).role);
const environmentOf = (id: string) =>
  ((resourcesOf(apiTemplate)[functionLogicalId(id)]?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)
    ?.Variables ?? {});

describe('stack sizes', () => {
  // CloudFormation refuses more than 500; the margin leaves room for the next few routes and a
  // test that fails while a new surface can still get a route stack of its own.
  it('keeps the data stack, the API stack and each route stack under 450 resources', () => {
    const sizes = Object.fromEntries(
      [data, api, ...Object.values(api.routeStacks)].map((stack) => [stack.node.path, Object.keys(resourcesOf(Template.fromStack(stack))).length]),
    );
    for (const [stack, size] of Object.entries(sizes)) expect(size, stack).toBeLessThan(450);
  });

  it('gives every route stack of lib/cdk/route-stacks.ts the routes it claims, and no others', () => {
    for (const route of routes as readonly RouteDefinition[]) {
      const owner = routeStackOf(route);
      expect(Stack.of(functionOf(route.id).fn).node.id, `${route.method} ${route.path}`).toBe(owner === undefined ? api.node.id : owner.id);
    }
  });
});

describe('data stack: table', () => {
  it('has the keys, stream, TTL and indexes of lib/table-definition.ts, billed per request', () => {
    dataTemplate.resourceCountIs('AWS::DynamoDB::Table', 1);
    dataTemplate.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: tableDefinition.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: tableDefinition.sortKey.name, KeyType: 'RANGE' },
      ],
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      TimeToLiveSpecification: { AttributeName: tableDefinition.ttlAttribute, Enabled: true },
      LocalSecondaryIndexes: tableDefinition.localIndexes.map((index) => ({
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: tableDefinition.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      })),
      GlobalSecondaryIndexes: tableDefinition.globalIndexes.map((index) => ({
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: 'PK', AttributeType: 'S' },
        { AttributeName: 'SK', AttributeType: 'S' },
      ]),
    });
  });

  it('survives accidents: point-in-time recovery, deletion protection, retained on stack delete', () => {
    dataTemplate.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      }),
    });
  });
});

describe('data stack: queues', () => {
  it.each(queueDefinitions.map((d) => [d.name, d] as const))('%s has a dead-letter queue after maxReceiveCount receives', (name, definition) => {
    const queue = data.queues[name];
    const dlq = data.deadLetterQueues[name];
    const resources = resourcesOf(dataTemplate);
    const queueProps = resources[logicalIdOf(queue)]?.Properties;
    const dlqLogicalId = logicalIdOf(dlq);
    expect(queueProps?.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': [dlqLogicalId, 'Arn'] }, maxReceiveCount: definition.maxReceiveCount });
    expect(resources[dlqLogicalId]?.Properties?.MessageRetentionPeriod).toBe(14 * 24 * 3600);
  });

  it('keeps stream router failures and the records it sets aside (stream-poison) for 14 days', () => {
    const resources = resourcesOf(dataTemplate);
    expect(resources[logicalIdOf(data.failureQueue)]?.Properties?.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    expect(resources[logicalIdOf(data.queues['stream-poison'])]?.Properties?.MessageRetentionPeriod).toBe(14 * 24 * 3600);
  });

  it('encrypts every queue, refuses non-TLS access to each, and retains them', () => {
    const queues = ofType(dataTemplate, 'AWS::SQS::Queue');
    expect(queues).toHaveLength(queueDefinitions.length * 2 + 1);
    const policies = ofType(dataTemplate, 'AWS::SQS::QueuePolicy');
    for (const [logicalId, queue] of queues) {
      expect(queue.Properties?.SqsManagedSseEnabled, logicalId).toBe(true);
      expect(queue.DeletionPolicy, logicalId).toBe('Retain');
      const policy = policies.find(([, p]) => JSON.stringify(p.Properties?.Queues) === JSON.stringify([{ Ref: logicalId }]));
      expect(policy?.[1].Properties?.PolicyDocument, logicalId).toMatchObject({
        Statement: expect.arrayContaining([
          expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      });
    }
  });
});

describe('data stack: buckets', () => {
  it('blocks public access, encrypts and retains every bucket', () => {
    const buckets = ofType(dataTemplate, 'AWS::S3::Bucket');
    expect(buckets).toHaveLength(2);
    for (const [logicalId, bucket] of buckets) {
      expect(bucket.Properties?.PublicAccessBlockConfiguration, logicalId).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties?.BucketEncryption, logicalId).toEqual({
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      });
      expect(bucket.DeletionPolicy, logicalId).toBe('Retain');
    }
  });

  it('denies every request to either bucket that does not use TLS', () => {
    for (const bucket of [data.bucket, data.accessLogsBucket]) {
      const policy = bucket.policy;
      if (policy === undefined) throw new Error(`${bucket.node.path} has no bucket policy`);
      const document = resourcesOf(dataTemplate)[logicalIdOf(policy)]?.Properties?.PolicyDocument as { Statement: Statement[] } | undefined;
      expect(document?.Statement).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      );
    }
  });

  it('cleans up message videos with lifecycle rules alone, and sends Object Created events to EventBridge', () => {
    const media = resourcesOf(dataTemplate)[logicalIdOf(data.bucket)]?.Properties as Record<string, unknown>;
    expect(media.NotificationConfiguration).toEqual({ EventBridgeConfiguration: { EventBridgeEnabled: true } });
    const rules = (media.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Prefix: MESSAGE_KEY_PREFIX, ExpirationInDays: UNVIEWED_RETENTION_DAYS, NoncurrentVersionExpiration: { NoncurrentDays: 1 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
        expect.objectContaining({ Prefix: MESSAGE_KEY_PREFIX, ExpirationInDays: VIEWED_RETENTION_DAYS, TagFilters: [{ Key: VIEWED_TAG.Key, Value: VIEWED_TAG.Value }] }),
      ]),
    );
    // No custom resource (and so no extra Lambda) is needed for the events.
    expect(ofType(dataTemplate, 'Custom::S3BucketNotifications')).toEqual([]);
  });

  it('logs access to the media bucket into the access-log bucket', () => {
    dataTemplate.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: { Ref: logicalIdOf(data.accessLogsBucket) } },
      VersioningConfiguration: { Status: 'Enabled' },
    });
  });
});

describe('API stack: functions', () => {
  it('creates one Lambda per route plus one per consumer (stream router, propagation worker, upload confirmer)', () => {
    apiTemplate.resourceCountIs('AWS::Lambda::Function', routes.length + Object.keys(consumers).length);
    expect(Object.keys(api.functions).sort()).toEqual([...routes.map((r) => r.id), ...Object.values(consumers).map((c) => c.id)].sort());
  });

  it('runs every Lambda on arm64 and the Node major that lib/bundling.ts targets', () => {
    const runtime = `nodejs${lambdaRuntimeTarget.replace('node', '')}.x`;
    expect(runtime).toBe('nodejs24.x');
    for (const [logicalId, fn] of ofType(apiTemplate, 'AWS::Lambda::Function')) {
      expect(fn.Properties?.Architectures, logicalId).toEqual(['arm64']);
      expect(fn.Properties?.Runtime, logicalId).toBe(runtime);
      // JSON lines; the handlers' from INFO, Lambda's START/END/REPORT lines not at all (lib/function-settings.ts).
      expect(fn.Properties?.LoggingConfig, logicalId).toEqual({ LogGroup: { Ref: expect.any(String) }, LogFormat: 'JSON', ApplicationLogLevel: 'INFO', SystemLogLevel: 'WARN' });
      expect(fn.Properties?.MemorySize, logicalId).toBe(512);
    }
  });

  it('gives every function log group a retention', () => {
    for (const [logicalId, group] of ofType(apiTemplate, 'AWS::Logs::LogGroup')) {
      expect(group.Properties?.RetentionInDays, logicalId).toBe(30);
    }
  });

  it.each((routes as readonly RouteDefinition[]).map((r) => [r.id, r] as const))('%s gets only the table access lib/routes.ts gives it', (id, route) => {
    const statements = allowedStatements(apiTemplate, roleLogicalId(id));
    const actions = statements.flatMap(actionsOf);
    const env = environmentOf(id);
    if (route.table === 'none') {
      expect(actions.filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
      expect(env[TABLE_NAME_ENV]).toBeUndefined();
      return;
    }
    expect(env[TABLE_NAME_ENV]).toBeDefined();
    expect(actions).toContain('dynamodb:GetItem');
    expect(actions).toContain('dynamodb:Query');
    if (route.table === 'read') expect(actions.filter((a) => WRITE_ACTIONS.includes(a))).toEqual([]);
    else expect(actions).toEqual(expect.arrayContaining(WRITE_ACTIONS));
    // The indexes are granted by name, never as `<table>/index/*` (object keys under the messages prefix are checked below).
    const tableStatements = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    expect(JSON.stringify(tableStatements.map((s) => s.Resource))).not.toContain('*');
  });

  it('passes the country claim to authenticated routes (Cognito puts custom attributes under custom:)', () => {
    for (const route of routes as readonly RouteDefinition[]) {
      expect(environmentOf(route.id)[COUNTRY_CLAIM_ENV], route.id).toBe(route.auth === 'jwt' ? 'custom:country' : undefined);
    }
  });
});

describe('API stack: HTTP API', () => {
  it.each((routes as readonly RouteDefinition[]).map((r) => [`${r.method} ${r.path}`, r] as const))('%s is routed to its own function with the declared auth', (routeKey, route) => {
    const routeResource = ofType(apiTemplate, 'AWS::ApiGatewayV2::Route').find(([, r]) => r.Properties?.RouteKey === routeKey);
    expect(routeResource).toBeDefined();
    const props = routeResource?.[1].Properties;
    expect(props?.AuthorizationType).toBe(route.auth === 'jwt' ? 'JWT' : 'NONE');
    if (route.auth === 'jwt') expect(props?.AuthorizerId).toEqual({ Ref: expect.stringMatching(/JwtAuthorizer/) });

    const integration = ofType(apiTemplate, 'AWS::ApiGatewayV2::Integration').find(
      ([, r]) => JSON.stringify(r.Properties?.IntegrationUri) === JSON.stringify({ 'Fn::GetAtt': [functionLogicalId(route.id), 'Arn'] }),
    );
    expect(integration).toBeDefined();
    expect(props?.Target).toEqual({ 'Fn::Join': ['', ['integrations/', { Ref: integration?.[0] }]] });
  });

  it('has no routes besides those in lib/routes.ts', () => {
    apiTemplate.resourceCountIs('AWS::ApiGatewayV2::Route', routes.length);
  });

  it('throttles the default stage and writes JSON access logs', () => {
    const [[, stage] = []] = ofType(apiTemplate, 'AWS::ApiGatewayV2::Stage');
    expect(stage?.Properties?.StageName).toBe('$default');
    expect(stage?.Properties?.DefaultRouteSettings).toEqual({
      ThrottlingBurstLimit: stageThrottle.burstLimit,
      ThrottlingRateLimit: stageThrottle.rateLimit,
    });
    const logSettings = stage?.Properties?.AccessLogSettings as { Format: string; DestinationArn: unknown };
    expect(logSettings.DestinationArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^AccessLogs/), 'Arn'] });
    expect(JSON.parse(logSettings.Format)).toMatchObject({
      requestId: '$context.requestId',
      routeKey: '$context.routeKey',
      status: '$context.status',
      latency: '$context.responseLatency',
    });
  });

  it('without an identity provider in context, trusts ID tokens of its own Cognito user pool', () => {
    apiTemplate.resourceCountIs('AWS::Cognito::UserPool', 1);
    apiTemplate.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Issuer: { 'Fn::GetAtt': [Match.stringLikeRegexp('^UserPool'), 'ProviderURL'] },
        Audience: [{ Ref: Match.stringLikeRegexp('^UserPoolAppClient') }],
      },
    });
  });

  it('outputs the API URL', () => {
    apiTemplate.hasOutput('ApiUrl', { Value: Match.anyValue() });
  });
});

describe('API stack: stream router', () => {
  it('consumes the table stream with partial batch failures, bisection, bounded retries and a failure queue', () => {
    // One mapping for the stream and for each queue a consumer reads (lib/consumers.ts).
    const mappings = Object.values(consumers).map(({ trigger }) => (trigger.kind === 'queues' ? trigger.sources.length : trigger.kind === 'bucket-events' ? 0 : 1));
    apiTemplate.resourceCountIs('AWS::Lambda::EventSourceMapping', mappings.reduce((sum: number, n) => sum + n, 0));
    apiTemplate.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionLogicalId(consumers.streamRouter.id) },
      EventSourceArn: { 'Fn::ImportValue': Match.stringLikeRegexp('StreamArn') },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: streamRouterSettings.batchSize,
      MaximumBatchingWindowInSeconds: streamRouterSettings.maxBatchingWindowSeconds,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: streamRouterSettings.retryAttempts,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: { 'Fn::ImportValue': Match.stringLikeRegexp('StreamRouterFailures.*Arn') } } },
      // The feed entries' own records never reach the router (lib/stream-filter.ts).
      FilterCriteria: { Filters: streamFilterPatterns(streamRouterSettings).map((pattern) => ({ Pattern: JSON.stringify(pattern) })) },
    });
    expect(streamFilterPatterns(streamRouterSettings)).toHaveLength(2);
  });

  it('may send to the queues it publishes to, is told their URLs, and may write the feed', () => {
    const statements = allowedStatements(apiTemplate, roleLogicalId(consumers.streamRouter.id));
    const env = environmentOf(consumers.streamRouter.id);
    const sendTargets = statements.filter((s) => actionsOf(s).includes('sqs:SendMessage')).flatMap((s) => s.Resource);
    for (const name of consumers.streamRouter.sendsTo) {
      const definition = queueDefinitions.find((d) => d.name === name);
      const logical = new RegExp(name.replace(/(^|-)(.)/g, (_, _dash: string, c: string) => c.toUpperCase()));
      expect(env[definition?.urlEnv ?? '']).toEqual({ 'Fn::ImportValue': expect.stringMatching(logical) });
      expect(sendTargets).toContainEqual({ 'Fn::ImportValue': expect.stringMatching(new RegExp(`${logical.source}.*Arn`)) });
    }
    // It appends feed entries, so it writes the table.
    expect(statements.flatMap(actionsOf)).toContain('dynamodb:PutItem');
  });
});

describe('API stack: propagation worker', () => {
  it('consumes its work queue in batches of ten with partial batch failures; the queue outlasts its timeout and has a DLQ', () => {
    apiTemplate.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionLogicalId(consumers.propagationWorker.id) },
      EventSourceArn: { 'Fn::ImportValue': Match.stringLikeRegexp('Propagation.*Arn') },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    const timeout = (apiTemplate.findResources('AWS::Lambda::Function')[functionLogicalId(consumers.propagationWorker.id)]?.Properties as { Timeout: number } | undefined)?.Timeout;
    expect(timeout).toBeGreaterThan(0);
    dataTemplate.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 6 * (timeout ?? 0),
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 5 },
    });
  });

  it('may read and write the table and send only to its own queue', () => {
    const statements = allowedStatements(apiTemplate, roleLogicalId(consumers.propagationWorker.id));
    const sendTargets = statements.filter((s) => actionsOf(s).includes('sqs:SendMessage')).flatMap((s) => s.Resource);
    expect(sendTargets).toEqual([{ 'Fn::ImportValue': expect.stringMatching(/Propagation.*Arn/) }]);
    expect(statements.flatMap(actionsOf)).toEqual(expect.arrayContaining(['dynamodb:UpdateItem', 'dynamodb:Query', 'sqs:ReceiveMessage', 'sqs:DeleteMessage']));
  });
});

describe('media bucket name', () => {
  it('is playhead-media-<account>-<region> by default, and the context key mediaBucketName names it for both stacks', () => {
    expect(JSON.stringify(resourcesOf(dataTemplate)[logicalIdOf(data.bucket)]?.Properties?.BucketName)).toContain('playhead-media-');
    const named = buildApp({ ...NO_BUNDLING, mediaBucketName: 'stage2-media' });
    const bucket = resourcesOf(Template.fromStack(named.data))[logicalIdOf(named.data.bucket)]?.Properties?.BucketName;
    expect(bucket).toBe('stage2-media');
    expect(JSON.stringify(Template.fromStack(named.api).toJSON())).toContain('stage2-media/messages/*');
    expect(() => buildApp({ ...NO_BUNDLING, mediaBucketName: 'Not A Bucket' })).toThrow(/mediaBucketName/);
  });
});

describe('API stack: video messages', () => {
  it('routes the media bucket\'s Object Created events under the messages prefix to the upload confirmer, with retries and a DLQ', () => {
    apiTemplate.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.s3'], 'detail-type': ['Object Created'], detail: { object: { key: [{ prefix: MESSAGE_KEY_PREFIX }] } } },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [functionLogicalId(consumers.uploadConfirmer.id), 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 }, DeadLetterConfig: Match.anyValue() })],
    });
  });

  it('grants message routes exact S3 actions on the messages prefix only', () => {
    const mediaActions = (id: string) =>
      allowedStatements(apiTemplate, roleLogicalId(id))
        .filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')))
        .map((s) => ({ actions: actionsOf(s).sort(), resource: JSON.stringify(s.Resource), condition: s.Condition }));
    expect(mediaActions('SendMessage').map((g) => g.actions)).toEqual([['s3:PutObject']]);
    expect(mediaActions('GetMessageDownload').map((g) => g.actions)).toEqual([['s3:GetObject']]);
    expect(mediaActions(consumers.uploadConfirmer.id).map((g) => g.actions)).toEqual([['s3:DeleteObject', 's3:GetObject', 's3:PutObjectTagging'], ['s3:ListBucket']]);
    for (const id of ['SendMessage', 'GetMessageDownload', 'ConfirmMessageUpload', 'SetMessageState', consumers.uploadConfirmer.id]) {
      for (const grant of mediaActions(id)) {
        if (grant.actions.includes('s3:ListBucket')) expect(grant.condition).toEqual({ StringLike: { 's3:prefix': [`${MESSAGE_KEY_PREFIX}*`] } });
        else expect(grant.resource).toContain(`/${MESSAGE_KEY_PREFIX}*`);
      }
    }
    expect(mediaActions('GetMessageInbox')).toEqual([]);
  });
});

describe('feed cursor secret', () => {
  it('is generated in the data stack, retained, and given only to routes that sign or check cursors', () => {
    dataTemplate.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
    for (const route of routes as readonly RouteDefinition[]) {
      const env = environmentOf(route.id);
      if (route.feedCursor) expect(JSON.stringify(env[FEED_CURSOR_SECRET_ENV])).toContain('resolve:secretsmanager');
      else expect(env).not.toHaveProperty(FEED_CURSOR_SECRET_ENV);
    }
  });
});

describe('deployment secret', () => {
  it('is generated in the data stack, retained, and given only to routes that derive keys from it', () => {
    const secrets = dataTemplate.findResources('AWS::SecretsManager::Secret');
    const deployment = Object.entries(secrets).filter(([id]) => id.startsWith('DeploymentSecret'));
    expect(deployment).toHaveLength(1);
    expect(deployment[0]?.[1]).toMatchObject({ DeletionPolicy: 'Retain', Properties: { GenerateSecretString: { PasswordLength: 48 } } });
    const given = (routes as readonly RouteDefinition[]).filter((route) => environmentOf(route.id)[DEPLOYMENT_SECRET_ENV] !== undefined).map((route) => route.id);
    expect(given).toEqual((routes as readonly RouteDefinition[]).filter((route) => route.deploymentSecret).map((route) => route.id));
    expect(given).toContain('CreateGpodderCredential');
    for (const id of given) expect(JSON.stringify(environmentOf(id)[DEPLOYMENT_SECRET_ENV])).toContain('resolve:secretsmanager');
  });
});

describe('feed retention', () => {
  it('is the same for the stream router and every authenticated route', () => {
    expect(environmentOf(consumers.streamRouter.id)[FEED_RETENTION_DAYS_ENV]).toBe('30');
    for (const route of (routes as readonly RouteDefinition[]).filter((r) => r.auth === 'jwt')) {
      expect(environmentOf(route.id)[FEED_RETENTION_DAYS_ENV]).toBe('30');
    }
  });
});

describe('identity provider from context', () => {
  it('uses jwtIssuer and jwtAudience when both are given, creates no user pool, and reads the plain country claim', () => {
    const { api: external } = buildApp({ ...NO_BUNDLING, jwtIssuer: 'https://id.example.com/', jwtAudience: 'playhead-api' });
    const template = Template.fromStack(external);
    template.resourceCountIs('AWS::Cognito::UserPool', 0);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      JwtConfiguration: { Issuer: 'https://id.example.com/', Audience: ['playhead-api'] },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'GET /v1/watchlist',
      Environment: { Variables: Match.objectLike({ [COUNTRY_CLAIM_ENV]: 'country' }) },
    });
  });

  it('takes the country claim name from context', () => {
    const { api: custom } = buildApp({ ...NO_BUNDLING, countryClaim: 'https://example.com/country' });
    Template.fromStack(custom).hasResourceProperties('AWS::Lambda::Function', {
      Description: 'GET /v1/watchlist',
      Environment: { Variables: Match.objectLike({ [COUNTRY_CLAIM_ENV]: 'https://example.com/country' }) },
    });
  });

  it('refuses an issuer without an audience', () => {
    expect(() => buildApp({ ...NO_BUNDLING, jwtIssuer: 'https://id.example.com/' })).toThrow(/jwtIssuer and jwtAudience/);
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('finds no unacknowledged error or warning in either stack', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    const findings = report.violations
      .filter((v) => v.severity === 'error' || v.severity === 'warning')
      .map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(findings).toEqual([]);
  });

  it('does report findings in this harness (so the empty result above means something)', () => {
    const probe = new App();
    new Queue(new Stack(probe, 'Probe'), 'Unprotected', { enforceSSL: false });
    const rules = new AwsSolutionsChecks().validateScope(probe).violations.map((v) => v.ruleName);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
  });

  it('leaves no CDK error or warning annotations', () => {
    for (const stack of [data, api]) {
      expect(Annotations.fromStack(stack).findError('*', Match.anyValue()), stack.stackName).toEqual([]);
      expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue()), stack.stackName).toEqual([]);
    }
  });
});
