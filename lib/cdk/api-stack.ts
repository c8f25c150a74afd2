import { Aws, CfnOutput, Duration, NestedStack, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { type CfnStage, CorsHttpMethod, HttpApi, HttpMethod, HttpRoute, HttpRouteKey, HttpStage, type IHttpRouteAuthorizer, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AccountRecovery, FeaturePlan, Mfa, StringAttribute, UserPool } from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { FilterCriteria, ParamsAndSecretsLayerVersion, ParamsAndSecretsLogLevel, ParamsAndSecretsVersions, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { FilterPattern, LogGroup, MetricFilter, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CREDENTIALS_ALARM, productionPushEndpoints, pushEnv } from '../push-definitions';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Bucket, type IBucket } from 'aws-cdk-lib/aws-s3';
import { mediaBucketName } from './media-bucket';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { MESSAGE_KEY_PREFIX } from '../../lambdas/messages/message-limits';
import type { Construct } from 'constructs';
import { COUNTRY_CLAIM_ENV } from '../../lambdas/shared/principal';
import { type FailureQueue, PlayheadAlarms, type RoutedAlarm } from './alarms';
import { PlayheadFunction } from './playhead-function';
import { routeStackOf } from './route-stacks';
import { PlayheadDax } from './dax';
import { DAX_CONTEXT_KEY, daxEnabled } from '../dax-settings';
import { DEPLOYMENT_SECRET_ENV, dlqName, FEED_CURSOR_SECRET_ENV, FEED_RETENTION_DAYS_ENV, type QueueDefinition, type QueueName, queueDefinitions } from '../queue-definitions';
import { type ConsumerDefinition, type ConsumerTrigger, consumers, streamRouterSettings } from '../consumers';
import { type RouteDefinition, routes } from '../routes';
import { streamFilterPatterns } from '../stream-filter';
import { routeThrottles, stageThrottleFrom, THROTTLE_BURST_CONTEXT_KEY, THROTTLE_RATE_CONTEXT_KEY } from '../throttle';
import { CORS_ALLOWED_HEADERS, CORS_ALLOWED_METHODS, CORS_CONTEXT_KEY, CORS_EXPOSED_HEADERS, CORS_MAX_AGE_SECONDS, parseCorsOrigins } from '../cors';

export interface PlayheadApiStackProps extends StackProps {
  table: ITable;
  /** By logical name from lib/queue-definitions.ts, each with its DLQ (alarmed by lib/cdk/alarms.ts). */
  queues: Record<QueueName, Queue>;
  /** Where the stream router's event source mapping reports records it gave up on. */
  failureQueue: IQueue;
  /** Signs change-feed cursors (routes with `feedCursor`). */
  feedCursorSecret: ISecret;
  /** The one secret per-purpose keys are derived from (routes with `deploymentSecret`). */
  deploymentSecret: ISecret;
  /** The push sender's credentials (consumers with `pushDelivery`), read at run time. */
  pushCredentialsSecret: ISecret;
}

/** Cognito puts user pool custom attributes in tokens under this prefix. */
const COGNITO_COUNTRY_CLAIM = 'custom:country';

/**
 * The stateless half: the HTTP API, one Lambda per route of lib/routes.ts, and one per
 * consumer of lib/consumers.ts with its event source. It can be destroyed and redeployed at will; the data stack is untouched.
 */
export class PlayheadApiStack extends Stack {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  /** By route id, plus the consumers by their ids. */
  readonly functions: Record<string, PlayheadFunction> = {};
  readonly alarms: PlayheadAlarms;
  /** Queues of this stack whose every message is a failure (an event rule's DLQ), by construct id. */
  private readonly localFailureQueues: FailureQueue[] = [];
  /** Alarms made beside what they watch, routed to the alarm topic once it exists. */
  private readonly routedAlarms: RoutedAlarm[] = [];
  /** The nested stacks of lib/cdk/route-stacks.ts, by id, made when their first route is. */
  readonly routeStacks: Record<string, NestedStack> = {};

  constructor(scope: Construct, id: string, props: PlayheadApiStackProps) {
    super(scope, id, props);

    const { authorizer, defaultCountryClaim } = this.jwtAuthorizer();
    const countryClaim = stringContext(this, 'countryClaim') ?? defaultCountryClaim;
    // The stream router (which sets each feed entry's expiry) and the routes (which refuse older
    // cursors) must agree on the retention window, so every function gets the same value.
    const retentionDays = stringContext(this, 'feedRetentionDays') ?? '30';
    if (!/^[1-9][0-9]{0,3}$/.test(retentionDays)) throw new Error('Context key feedRetentionDays must be a whole number of days');
    const retention = { [FEED_RETENTION_DAYS_ENV]: retentionDays };

    const corsOrigins = parseCorsOrigins(this.node.tryGetContext(CORS_CONTEXT_KEY));
    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'Playhead: watchlist, playback progress and catalog',
      // Browser apps on the listed origins (lib/cors.ts); API Gateway answers their preflights.
      ...(corsOrigins.length === 0
        ? {}
        : {
            corsPreflight: {
              allowOrigins: corsOrigins,
              allowMethods: CORS_ALLOWED_METHODS.map((method) => CorsHttpMethod[method]),
              allowHeaders: [...CORS_ALLOWED_HEADERS],
              exposeHeaders: [...CORS_EXPOSED_HEADERS],
              allowCredentials: false,
              maxAge: Duration.seconds(CORS_MAX_AGE_SECONDS),
            },
          }),
      // The default stage cannot take throttling or access logging; the stage below can.
      createDefaultStage: false,
    });

    const stageThrottle = stageThrottleFrom(this.node.tryGetContext(THROTTLE_RATE_CONTEXT_KEY), this.node.tryGetContext(THROTTLE_BURST_CONTEXT_KEY));
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.ONE_MONTH });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      // The default of every route; lib/throttle.ts says what it serves.
      throttle: stageThrottle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // Every value is quoted: API Gateway writes '-' for an absent number, which would
        // make a bare number field invalid JSON.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latency: '$context.responseLatency',
            integrationLatency: '$context.integrationLatency',
            responseLength: '$context.responseLength',
            sourceIp: '$context.identity.sourceIp',
            userAgent: '$context.identity.userAgent',
            authorizerError: '$context.authorizer.error',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    // Addressed by its name: see lib/cdk/media-bucket.ts.
    const mediaBucket = Bucket.fromBucketName(this, 'MediaBucket', mediaBucketName(this));
    // Off unless -c dax=on: the cluster, its VPC and the DAX variant of the catalog readers (docs/DAX.md).
    const dax = daxEnabled(this.node.tryGetContext(DAX_CONTEXT_KEY)) ? new PlayheadDax(this, 'Dax', { table: props.table }) : undefined;
    const httpRoutes: Record<string, HttpRoute> = {};
    for (const route of routes as readonly RouteDefinition[]) {
      const scope = this.routeScope(route);
      const fn = new PlayheadFunction(scope, route.id, {
        entry: route.entry,
        description: `${route.method} ${route.path}`,
        environment: route.auth === 'jwt' ? { [COUNTRY_CLAIM_ENV]: countryClaim, ...retention } : {},
        ...dax?.placementFor(route),
      });
      if (fn.fn.isBoundToVpc) dax?.admit(fn);
      if (route.table !== 'none') fn.bindTable(props.table, route.table);
      if (route.media !== undefined) fn.bindMedia(mediaBucket, route.media, MESSAGE_KEY_PREFIX);
      for (const name of route.sendsTo ?? []) fn.bindQueue(queueNamed(props.queues, name), urlEnvOf(name));
      // Resolved by CloudFormation at deploy time: no Secrets Manager call on the cold start.
      if (route.feedCursor) fn.fn.addEnvironment(FEED_CURSOR_SECRET_ENV, props.feedCursorSecret.secretValue.unsafeUnwrap());
      if (route.deploymentSecret) fn.fn.addEnvironment(DEPLOYMENT_SECRET_ENV, props.deploymentSecret.secretValue.unsafeUnwrap());
      this.functions[route.id] = fn;

      const httpRoute = this.addRoute(scope, route, fn, route.auth === 'jwt' ? authorizer : undefined);
      if (httpRoute) httpRoutes[`${route.method} ${route.path}`] = httpRoute;
      if (route.auth === 'none' && httpRoute) {
        Validations.of(httpRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `lib/routes.ts declares ${route.method} ${route.path} public (auth: none): a reviewed decision in the route table, such as a liveness check that must answer without a token.`,
        });
      }
      if (route.auth === 'gpodder' && httpRoute) {
        Validations.of(httpRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${route.method} ${route.path} signs its caller in itself (auth: gpodder, HTTP Basic or a session cookie): no API Gateway authorizer can answer with the WWW-Authenticate: Basic challenge gpodder clients need, nor set the cookie.`,
        });
      }
    }

    // One Lambda per entry of lib/consumers.ts, with the event source its trigger names.
    for (const consumer of Object.values(consumers) as readonly ConsumerDefinition[]) {
      const fn = new PlayheadFunction(this, consumer.id, {
        entry: consumer.entry,
        description: consumer.description,
        timeout: Duration.seconds(consumer.timeoutSeconds),
        environment: consumer.feedRetention ? retention : {},
        // The secret is read at run time, not resolved into the environment: Lambda's 4 KB of variables cannot hold an FCM service account.
        paramsAndSecrets: consumer.pushDelivery ? ParamsAndSecretsLayerVersion.fromVersion(ParamsAndSecretsVersions.V1_0_103, { logLevel: ParamsAndSecretsLogLevel.WARN }) : undefined,
      });
      if (consumer.pushDelivery) this.bindPushDelivery(fn, props.pushCredentialsSecret);
      if (consumer.table !== 'none') fn.bindTable(props.table, consumer.table);
      if (consumer.media !== undefined) fn.bindMedia(mediaBucket, consumer.media, MESSAGE_KEY_PREFIX);
      for (const name of consumer.sendsTo ?? []) fn.bindQueue(queueNamed(props.queues, name), urlEnvOf(name));
      this.connectTrigger(fn, consumer.trigger, props, mediaBucket);
      this.functions[consumer.id] = fn;
    }

    this.throttleExpensiveRoutes(stageThrottle, httpRoutes);

    this.alarms = new PlayheadAlarms(this, 'Alarms', {
      description: 'Playhead alarms, their SNS topic and the dashboard',
      httpApi: this.httpApi,
      functions: Object.entries(this.functions).map(([fnId, fn]) => ({ id: fnId, fn: fn.fn, logGroup: fn.logGroup })),
      streamRouter: functionNamed(this.functions, consumers.streamRouter.id).fn,
      failureQueues: [
        ...(queueDefinitions as readonly QueueDefinition[]).flatMap((definition): FailureQueue[] => {
          const queue = queueNamed(props.queues, definition.name) as Queue;
          const deadLetterQueue = queue.deadLetterQueue?.queue;
          if (deadLetterQueue === undefined) throw new Error(`Queue ${definition.name} has no dead-letter queue`);
          return [{ name: dlqName(definition.name), queue: deadLetterQueue }, ...(definition.holdsFailures ? [{ name: definition.name, queue }] : [])];
        }),
        { name: streamRouterSettings.failureQueueName, queue: props.failureQueue },
        ...this.localFailureQueues,
      ],
      table: props.table,
      routedAlarms: this.routedAlarms,
      // The stack's own name: a literal for a top-level stack, so operators find the dashboard and alarms by it.
      namePrefix: this.stackName,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.stage.url, description: 'Base URL of the Playhead HTTP API' });
    new CfnOutput(this, 'DashboardUrl', {
      value: `https://${Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards/dashboard/${this.stackName}`,
      description: 'The CloudWatch dashboard of the alarms\' signals and the request units',
    });
  }

  /** The API stack itself, or the nested stack lib/cdk/route-stacks.ts gives the route. */
  private routeScope(route: RouteDefinition): Construct {
    const routeStack = routeStackOf(route);
    if (routeStack === undefined) return this;
    this.routeStacks[routeStack.id] ??= new NestedStack(this, routeStack.id, { description: routeStack.description });
    return this.routeStacks[routeStack.id] as NestedStack;
  }

  /** In the API stack a route keeps the ids it always had; in a route stack it is made there, with its integration. */
  private addRoute(scope: Construct, route: RouteDefinition, fn: PlayheadFunction, authorizer: IHttpRouteAuthorizer | undefined): HttpRoute | undefined {
    const integration = new HttpLambdaIntegration(`${route.id}Integration`, fn.fn);
    if (scope === this) return this.httpApi.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration, authorizer })[0];
    return new HttpRoute(scope, `${route.id}Route`, { httpApi: this.httpApi, routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]), integration, authorizer });
  }

  /**
   * Route throttles of lib/routes.ts. CloudFormation sets a stage's route settings by route key
   * and refuses a key whose route does not exist yet, so the stage waits for those routes.
   */
  private throttleExpensiveRoutes(stageThrottle: { rateLimit: number; burstLimit: number }, httpRoutes: Record<string, HttpRoute>): void {
    const throttles = routeThrottles(routes, stageThrottle);
    if (Object.keys(throttles).length === 0) return;
    (this.stage.node.defaultChild as CfnStage).routeSettings = Object.fromEntries(
      Object.entries(throttles).map(([routeKey, throttle]) => {
        const httpRoute = httpRoutes[routeKey];
        if (httpRoute === undefined) throw new Error(`No route ${routeKey} to throttle`);
        this.stage.node.addDependency(httpRoute);
        // The property is free-form JSON to CDK, so it takes CloudFormation's own names.
        return [routeKey, { ThrottlingRateLimit: throttle.rateLimit, ThrottlingBurstLimit: throttle.burstLimit }];
      }),
    );
  }

  /**
   * The push services' endpoints, read access to the credentials secret and nothing else of
   * Secrets Manager, and an alarm on the log line the sender writes when APNs or FCM refuse
   * those credentials (or the secret is still empty).
   */
  private bindPushDelivery(fn: PlayheadFunction, secret: ISecret): void {
    for (const [name, value] of Object.entries(productionPushEndpoints)) fn.fn.addEnvironment(name, value);
    fn.fn.addEnvironment(pushEnv.credentialsSecretId, secret.secretArn);
    secret.grantRead(fn.fn);
    const refusals = new MetricFilter(this, `${fn.node.id}CredentialRefusals`, {
      logGroup: fn.logGroup,
      filterPattern: FilterPattern.stringValue('$.alarm', '=', CREDENTIALS_ALARM),
      metricNamespace: 'Playhead',
      metricName: 'PushCredentialRefusals',
      metricValue: '1',
      defaultValue: 0,
    });
    const alarm = new Alarm(this, `${fn.node.id}CredentialsAlarm`, {
      alarmDescription: 'APNs or FCM refuse the push credentials, or the secret cannot be read or is still empty: nothing is being pushed (docs/PUSH.md)',
      metric: refusals.metric({ statistic: 'Sum', period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.routedAlarms.push({ alarm, metric: refusals.metric({ statistic: 'Sum', period: Duration.minutes(5), label: 'refusals' }), title: 'Push credential refusals' });
  }

  /** The event source of a consumer, as its trigger in lib/consumers.ts describes it. */
  private connectTrigger(fn: PlayheadFunction, trigger: ConsumerTrigger, props: PlayheadApiStackProps, mediaBucket: IBucket): void {
    switch (trigger.kind) {
      case 'stream':
        fn.fn.addEventSource(
          new DynamoEventSource(props.table, {
            startingPosition: StartingPosition[trigger.startingPosition],
            batchSize: trigger.batchSize,
            maxBatchingWindow: Duration.seconds(trigger.maxBatchingWindowSeconds),
            bisectBatchOnError: trigger.bisectBatchOnError,
            retryAttempts: trigger.retryAttempts,
            reportBatchItemFailures: trigger.reportBatchItemFailures,
            filters: streamFilterPatterns(trigger).map((pattern) => FilterCriteria.filter(pattern)),
            // The data stack's queue named by trigger.failureQueueName.
            onFailure: new SqsDlq(props.failureQueue),
          }),
        );
        Validations.of(fn.role).acknowledge({
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason: 'dynamodb:ListStreams, added by the DynamoDB event source, supports no resource-level permissions; the stream reads themselves are limited to this table\'s stream.',
        });
        return;
      case 'queue':
        // Failed messages come back by SQS's own redelivery, then go to the queue's DLQ.
        fn.fn.addEventSource(
          new SqsEventSource(queueNamed(props.queues, trigger.queue), { batchSize: trigger.batchSize, reportBatchItemFailures: trigger.reportBatchItemFailures, maxConcurrency: trigger.maxConcurrency }),
        );
        return;
      case 'queues':
        for (const source of trigger.sources) this.connectTrigger(fn, { kind: 'queue', ...source }, props, mediaBucket);
        return;
      case 'bucket-events': {
        // S3 → EventBridge → Lambda: AWS service events on the default bus cost nothing, and no
        // custom resource is needed to attach a notification to a bucket of another stack.
        const failures = new Queue(this, trigger.deadLetterQueueId, { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
        this.localFailureQueues.push({ name: trigger.deadLetterQueueId, queue: failures });
        Validations.of(failures).acknowledge({
          id: 'AwsSolutions-SQS3',
          reason: 'This queue is itself the dead-letter destination of the upload event rule; nothing consumes it automatically.',
        });
        new Rule(this, trigger.rule.id, {
          description: trigger.rule.description,
          eventPattern: {
            source: ['aws.s3'],
            detailType: ['Object Created'],
            detail: { bucket: { name: [mediaBucket.bucketName] }, object: { key: [{ prefix: trigger.prefix }] } },
          },
          targets: [
            new LambdaFunction(fn.fn, { retryAttempts: trigger.retryAttempts, maxEventAge: Duration.hours(trigger.maxEventAgeHours), deadLetterQueue: failures }),
          ],
        });
        return;
      }
    }
  }

  /**
   * Tokens come from the identity provider named by the `jwtIssuer` and `jwtAudience` context
   * keys. Without them a Cognito user pool is created so that a deploy works out of the box.
   * That pool holds users, so it is retained when the stack is deleted, but a new deployment
   * creates a new pool (and issuer): long-lived environments should name their provider.
   */
  private jwtAuthorizer(): { authorizer: IHttpRouteAuthorizer; defaultCountryClaim: string } {
    const issuer = stringContext(this, 'jwtIssuer');
    const audience = stringContext(this, 'jwtAudience');
    if (issuer !== undefined && audience !== undefined) {
      return {
        authorizer: new HttpJwtAuthorizer('JwtAuthorizer', issuer, { jwtAudience: [audience] }),
        defaultCountryClaim: 'country',
      };
    }
    if (issuer !== undefined || audience !== undefined) {
      throw new Error('Set both context keys jwtIssuer and jwtAudience, or neither (then a Cognito user pool is created).');
    }

    const userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      customAttributes: { country: new StringAttribute({ minLen: 2, maxLen: 2, mutable: true }) },
      passwordPolicy: { minLength: 12, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.ESSENTIALS,
    });
    Validations.of(userPool).acknowledge({
      id: 'AwsSolutions-COG2',
      reason: 'Viewers of a consumer app are offered TOTP MFA but not forced into it; deployments that must force MFA bring their own identity provider (jwtIssuer/jwtAudience).',
    });
    Validations.of(userPool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason: 'Fallback pool for deployments without an external identity provider; the Plus tier (threat protection) is a per-user cost decision left to production, which passes jwtIssuer/jwtAudience.',
    });
    const client = userPool.addClient('AppClient', {
      authFlows: { userSrp: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
    });

    new CfnOutput(this, 'UserPoolId', { value: userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: client.userPoolClientId });
    return {
      // ID tokens carry the client id as `aud` and the custom attributes as claims.
      authorizer: new HttpJwtAuthorizer('JwtAuthorizer', userPool.userPoolProviderUrl, { jwtAudience: [client.userPoolClientId] }),
      defaultCountryClaim: COGNITO_COUNTRY_CLAIM,
    };
  }
}

function stringContext(scope: Construct, key: string): string | undefined {
  const value: unknown = scope.node.tryGetContext(key);
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`Context key ${key} must be a string`);
  return value;
}

function queueNamed(queues: Record<QueueName, IQueue>, name: string): IQueue {
  const queue = (queues as Record<string, IQueue | undefined>)[name];
  if (queue === undefined) throw new Error(`No queue named ${name} in lib/queue-definitions.ts`);
  return queue;
}

function functionNamed(functions: Record<string, PlayheadFunction>, id: string): PlayheadFunction {
  const fn = functions[id];
  if (fn === undefined) throw new Error(`No function ${id}`);
  return fn;
}

function urlEnvOf(name: string): string {
  const definition = queueDefinitions.find((d) => d.name === name);
  if (definition === undefined) throw new Error(`No queue named ${name} in lib/queue-definitions.ts`);
  return definition.urlEnv;
}
