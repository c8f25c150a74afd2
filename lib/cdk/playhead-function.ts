import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Aws, Duration, Validations } from 'aws-cdk-lib';
import { type ITable, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { ApplicationLogLevel, Architecture, LoggingFormat, type ParamsAndSecretsLayerVersion, Runtime, SystemLogLevel, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type BundleVariant, bundleDefines, bundleSettings, lambdaRuntimeTarget } from '../bundling';
import type { DaxNetwork } from './dax';
import { APPLICATION_LOG_LEVEL_CONTEXT_KEY, functionSettings, logLevelsFrom, SYSTEM_LOG_LEVEL_CONTEXT_KEY } from '../function-settings';
import { mediaBucketName } from './media-bucket';
import { BUCKET_NAME_ENV, TABLE_NAME_ENV } from '../queue-definitions';
import type { RouteDefinition } from '../routes';
import { tableDefinition } from '../table-definition';

/** Route entries and lock file paths are relative to the repository root, wherever the CLI runs. */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

const RUNTIME = Runtime.NODEJS_24_X;

// esbuild targets one Node major and Lambda runs another: the bundle could then use syntax
// the runtime lacks (or miss what it offers), so a mismatch stops synthesis instead.
if (RUNTIME.name !== `nodejs${lambdaRuntimeTarget.replace(/^node/, '')}.x`) {
  throw new Error(`Lambda runtime ${RUNTIME.name} does not match the bundling target ${lambdaRuntimeTarget} in lib/bundling.ts`);
}

const OUTPUT_FORMATS = { esm: OutputFormat.ESM, cjs: OutputFormat.CJS } as const;

const INDEX_NAMES = [...tableDefinition.localIndexes, ...tableDefinition.globalIndexes].map((index) => index.indexName);
/** The only data-plane reads DynamoDB serves from an index. */
const INDEX_READ_ACTIONS = ['dynamodb:Query', 'dynamodb:Scan'];

export type TableAccess = Exclude<RouteDefinition['table'], 'none'>;

export interface PlayheadFunctionProps {
  /** Handler module (exports `handler`), relative to the repository root. */
  entry: string;
  description?: string;
  environment?: Record<string, string>;
  /** A stream consumer handles a whole batch, so it may need longer than a single request. */
  timeout?: Duration;
  /** Off by default: X-Ray costs per trace and needs a wildcard IAM grant. */
  tracing?: boolean;
  /** The AWS Parameters and Secrets extension, for a function that reads a secret at run time. */
  paramsAndSecrets?: ParamsAndSecretsLayerVersion;
  /** `dax` builds the catalog reader with the DAX client (lib/bundling.ts); default otherwise. */
  variant?: BundleVariant;
  /** The DAX option's VPC, for the functions that read through the cluster (lib/cdk/dax.ts); none otherwise. */
  network?: DaxNetwork;
}

/**
 * One Lambda with Playhead's fixed defaults: arm64, the Node major the bundle targets, the
 * AWS SDK bundled (the tested version is the deployed one), a log group with a retention,
 * and an execution role that holds nothing but what `bind…` adds.
 */
export class PlayheadFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: PlayheadFunctionProps) {
    super(scope, id);

    // Created by the stack rather than by Lambda on first invoke, so it has a retention
    // and the stack owns its lifecycle.
    this.logGroup = new LogGroup(this, 'LogGroup', { retention: RetentionDays.ONE_MONTH });

    // Our own role instead of the default one: the default attaches the AWS managed
    // AWSLambdaBasicExecutionRole, which may write to every log group in the account.
    this.role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    this.logGroup.grantWrite(this.role);

    const environment: Record<string, string> = { ...props.environment };
    if (bundleSettings.sourcemap) environment.NODE_OPTIONS = '--enable-source-maps';

    const levels = logLevelsFrom(this.node.tryGetContext(APPLICATION_LOG_LEVEL_CONTEXT_KEY), this.node.tryGetContext(SYSTEM_LOG_LEVEL_CONTEXT_KEY));
    this.fn = new NodejsFunction(this, 'Function', {
      entry: path.join(repoRoot, props.entry),
      handler: 'handler',
      description: props.description,
      runtime: RUNTIME,
      architecture: Architecture.ARM_64,
      // Memory and logging: lib/function-settings.ts says why.
      memorySize: functionSettings.memoryMb,
      loggingFormat: LoggingFormat[functionSettings.logFormat],
      applicationLogLevelV2: ApplicationLogLevel[levels.applicationLogLevel],
      systemLogLevelV2: SystemLogLevel[levels.systemLogLevel],
      // Well inside API Gateway's 30 s integration limit, long enough for SDK retries.
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: props.tracing ? Tracing.ACTIVE : Tracing.DISABLED,
      paramsAndSecrets: props.paramsAndSecrets,
      ...props.network,
      logGroup: this.logGroup,
      role: this.role,
      environment,
      projectRoot: repoRoot,
      depsLockFilePath: path.join(repoRoot, 'package-lock.json'),
      bundling: {
        format: OUTPUT_FORMATS[bundleSettings.format],
        target: bundleSettings.target,
        mainFields: bundleSettings.mainFields,
        minify: bundleSettings.minify,
        sourceMap: bundleSettings.sourcemap,
        banner: bundleSettings.banner,
        define: bundleDefines(props.variant ?? 'default'),
        externalModules: [],
        // The repository's esbuild is the one the bench measures; Docker is neither needed nor wanted.
        forceDockerBundling: false,
      },
    });

    Validations.of(this.fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason: `Pinned to ${RUNTIME.name} to match the esbuild target in lib/bundling.ts, which the bench and bundle tests measure; a runtime upgrade moves both together.`,
    });
    if (props.tracing) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions; CDK adds them only when tracing is on.',
      });
    }
  }

  /**
   * Passes the table name and grants exactly the access asked for, in one step. CDK's grant
   * on a table with indexes adds `<table>/index/*`; granting through a view of the table
   * that knows no indexes, then naming each index Playhead defines, leaves no wildcard.
   */
  bindTable(table: ITable, access: TableAccess): void {
    this.fn.addEnvironment(TABLE_NAME_ENV, table.tableName);
    const tableOnly = Table.fromTableArn(this, `${table.node.id}Binding`, table.tableArn);
    if (access === 'read') tableOnly.grantReadData(this.fn);
    else tableOnly.grantReadWriteData(this.fn);
    this.fn.addToRolePolicy(
      new PolicyStatement({ actions: INDEX_READ_ACTIONS, resources: INDEX_NAMES.map((name) => `${table.tableArn}/index/${name}`) }),
    );
  }

  /**
   * Passes the media bucket's name and grants access to message videos only (the key prefix):
   * `put` to sign uploads, `read` to sign downloads, `readwrite` to inspect, tag and delete
   * uploads. A presigned URL carries its signer's permission, so signing needs the grant.
   */
  bindMedia(bucket: IBucket, access: 'put' | 'read' | 'readwrite', keyPrefix: string): void {
    this.fn.addEnvironment(BUCKET_NAME_ENV, bucket.bucketName);
    const actions = { put: ['s3:PutObject'], read: ['s3:GetObject'], readwrite: ['s3:GetObject', 's3:DeleteObject', 's3:PutObjectTagging'] }[access];
    // A policy of its own, so that the acknowledgement below covers these statements only.
    const statements = [new PolicyStatement({ actions, resources: [bucket.arnForObjects(`${keyPrefix}*`)] })];
    // Without ListBucket, S3 answers a HEAD of a missing key with 403 instead of 404; limited to the prefix.
    if (access === 'readwrite') {
      statements.push(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn], conditions: { StringLike: { 's3:prefix': [`${keyPrefix}*`] } } }));
    }
    const policy = new Policy(this, 'MediaAccess', { statements });
    policy.attachToRole(this.role);
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${mediaBucketName(this).replace(Aws.ACCOUNT_ID, '<AWS::AccountId>').replace(Aws.REGION, '<AWS::Region>')}/${keyPrefix}*]`,
      reason: `Message videos get server-chosen keys under ${keyPrefix}; the grant names exact actions on that prefix and nothing else in the bucket.`,
    });
  }

  /** Passes the queue URL under `envName` and allows sending to that queue only. */
  bindQueue(queue: IQueue, envName: string): void {
    this.fn.addEnvironment(envName, queue.queueUrl);
    queue.grantSendMessages(this.fn);
  }
}
