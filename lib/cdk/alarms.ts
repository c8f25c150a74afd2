import { Duration, NestedStack, type NestedStackProps, RemovalPolicy } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IAlarm,
  type IMetric,
  LogQueryVisualizationType,
  LogQueryWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ALARM_EMAIL_CONTEXT_KEY, alarmEmailFrom, alarmSettings } from '../alarm-settings';
import { pascal } from './construct-ids';
import { businessMetrics, METRICS_NAMESPACE, METRICS_SERVICE } from '../../lambdas/shared/metrics';

/** A queue whose every message is a failure (a DLQ, a failure destination), by its logical name. */
export interface FailureQueue {
  name: string;
  queue: IQueue;
}

/** A function to watch, by its route or consumer id. */
export interface WatchedFunction {
  id: string;
  fn: IFunction;
  logGroup: ILogGroup;
}

/** An alarm made beside what it watches, with the metric the dashboard graphs for it. */
export interface RoutedAlarm {
  alarm: Alarm;
  metric: IMetric;
  title: string;
}

export interface PlayheadAlarmsProps extends NestedStackProps {
  httpApi: IHttpApi;
  functions: readonly WatchedFunction[];
  /** The stream consumer whose iterator age says whether the change feed keeps up. */
  streamRouter: IFunction;
  failureQueues: readonly FailureQueue[];
  table: ITable;
  /** Alarms made beside what they watch (the push sender's credential refusals): they notify the same topic. */
  routedAlarms: readonly RoutedAlarm[];
  /** The dashboard's name and the first part of every alarm's name: what an alarm e-mail's subject shows. */
  namePrefix: string;
}

const period = Duration.minutes(alarmSettings.periodMinutes);
/**
 * Graph lines and Logs Insights log groups per widget: a Logs Insights query takes at most 50
 * log groups, and one limit for both keeps the dashboard's widgets alike.
 */
const PER_WIDGET = 50;

/**
 * Every alarm Playhead raises, the one SNS topic they notify, and the dashboard of the same
 * signals. A nested stack of the API stack: deployed and destroyed with it, but with its own
 * resource budget (a CloudFormation stack holds at most 500 resources, and the API stack's
 * functions already take about 400).
 *
 * Alarm actions only, no OK actions: a new alarm leaves INSUFFICIENT_DATA for OK on its first
 * evaluation, so OK actions would mail every alarm on every first deploy.
 */
export class PlayheadAlarms extends NestedStack {
  readonly topic: Topic;
  readonly dashboard: Dashboard;
  /** By the failure queue's logical name. */
  readonly queueAlarms: Record<string, Alarm> = {};
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: PlayheadAlarmsProps) {
    super(scope, id, props);

    // An encrypted topic takes CloudWatch's alarms only if CloudWatch may use its key, and the AWS
    // managed key for SNS admits no other service: so the topic has a key of its own ($1 a month).
    const key = new Key(this, 'TopicKey', {
      description: 'Playhead: encrypts the alarm topic; CloudWatch alarms may use it to publish',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new Topic(this, 'Topic', { displayName: 'Playhead alarms', masterKey: key, enforceSSL: true });
    const email = alarmEmailFrom(this.node.tryGetContext(ALARM_EMAIL_CONTEXT_KEY));
    if (email !== undefined) this.topic.addSubscription(new EmailSubscription(email));
    const action = new SnsAction(this.topic);

    const watch = (alarm: Alarm) => {
      alarm.addAlarmAction(action);
      this.alarms.push(alarm);
      return alarm;
    };

    for (const { name, queue } of props.failureQueues) {
      this.queueAlarms[name] = watch(
        new Alarm(this, `${pascal(name)}Messages`, {
          alarmName: `${props.namePrefix}-${name}-messages`,
          alarmDescription: `${name}: a message is waiting; every message in this queue is a failure to look at (docs/DEPLOY.md, Alarms)`,
          metric: queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          // SQS stops sending metrics for a queue empty and untouched for six hours.
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }

    const iteratorAge = props.streamRouter.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1) });
    watch(
      new Alarm(this, 'StreamRouterIteratorAge', {
        alarmName: `${props.namePrefix}-stream-router-iterator-age`,
        alarmDescription: `The stream router is falling behind: the oldest table change it received was over ${alarmSettings.iteratorAge.thresholdSeconds} s old for ${alarmSettings.iteratorAge.minutes} minutes running, so devices see changes late`,
        metric: iteratorAge,
        threshold: alarmSettings.iteratorAge.thresholdSeconds * 1000,
        evaluationPeriods: alarmSettings.iteratorAge.minutes,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    for (const { id: fnId, fn } of props.functions) {
      watch(
        new Alarm(this, `${fnId}Errors`, {
          alarmName: `${props.namePrefix}-${fnId}-errors`,
          alarmDescription: `${fnId}: an invocation failed (an unhandled error, a timeout, out of memory, or a failed batch)`,
          metric: fn.metricErrors({ statistic: 'Sum', period }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
      watch(
        new Alarm(this, `${fnId}Throttles`, {
          alarmName: `${props.namePrefix}-${fnId}-throttles`,
          alarmDescription: `${fnId}: Lambda refused an invocation for want of concurrency`,
          metric: fn.metricThrottles({ statistic: 'Sum', period }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }

    const requests = props.httpApi.metricCount({ statistic: 'Sum', period });
    const serverErrors = props.httpApi.metricServerError({ statistic: 'Sum', period });
    const serverErrorRate = new MathExpression({
      expression: 'IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)',
      usingMetrics: { requests, errors: serverErrors },
      label: '5xx, % of requests',
      period,
    });
    watch(
      new Alarm(this, 'ApiServerErrorRate', {
        alarmName: `${props.namePrefix}-api-5xx-rate`,
        alarmDescription: `The API answered 5xx to ${alarmSettings.serverErrorPercent} % of requests or more in ${alarmSettings.periodMinutes} minutes: handlers answer 4xx by construction, so a function crashed, timed out or could not be invoked`,
        metric: serverErrorRate,
        threshold: alarmSettings.serverErrorPercent,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    const p99 = props.httpApi.metricLatency({ statistic: 'p99', period });
    watch(
      new Alarm(this, 'ApiLatencyP99', {
        alarmName: `${props.namePrefix}-api-latency-p99`,
        alarmDescription: `The API's 99th percentile latency was over ${alarmSettings.p99Latency.thresholdMs} ms for ${alarmSettings.p99Latency.periods} periods of ${alarmSettings.periodMinutes} minutes running`,
        metric: p99,
        threshold: alarmSettings.p99Latency.thresholdMs,
        evaluationPeriods: alarmSettings.p99Latency.periods,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    // Made where they watch; a reference from the parent stack to this topic.
    for (const { alarm } of props.routedAlarms) alarm.addAlarmAction(action);

    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: props.namePrefix, defaultInterval: Duration.hours(3) });
    const graph = (title: string, left: IMetric[], width = 12) => new GraphWidget({ title, left, width, height: 6 });
    const alarmed: IAlarm[] = this.alarms;
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `# Playhead\nAlarms notify one SNS topic (\`-c ${ALARM_EMAIL_CONTEXT_KEY}=…\` subscribes an address). Every message in a failure queue is a failure to look at; request units come from each function's JSON log lines.`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(...chunks(alarmed, 100).map((part, i, all) => new AlarmStatusWidget({ title: titled('Alarms', i, all.length), alarms: part, width: 24, height: 6 })));
    this.dashboard.addWidgets(
      graph('API requests and 5xx', [requests.with({ label: 'requests' }), serverErrors.with({ label: '5xx' }), props.httpApi.metricClientError({ statistic: 'Sum', period }).with({ label: '4xx' })], 8),
      graph('API 5xx rate (%)', [serverErrorRate], 8),
      graph('API latency (ms)', [p99.with({ label: 'p99' }), props.httpApi.metricLatency({ statistic: 'p50', period }).with({ label: 'p50' })], 8),
    );
    this.dashboard.addWidgets(
      graph('Failure queues: messages waiting', props.failureQueues.map(({ name, queue }) => queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period, label: name }))),
      graph('Stream router iterator age (ms)', [iteratorAge.with({ label: 'oldest record' })]),
    );
    const functionGraphs = (title: string, metricOf: (fn: IFunction, label: string) => IMetric) =>
      chunks([...props.functions], PER_WIDGET).map((part, i, all) => graph(titled(title, i, all.length), part.map(({ id: fnId, fn }) => metricOf(fn, fnId))));
    this.dashboard.addWidgets(...functionGraphs('Function errors', (fn, label) => fn.metricErrors({ statistic: 'Sum', period, label })));
    this.dashboard.addWidgets(...functionGraphs('Function throttles', (fn, label) => fn.metricThrottles({ statistic: 'Sum', period, label })));
    this.dashboard.addWidgets(
      ...props.routedAlarms.map(({ metric, title }) => graph(title, [metric], 8)),
      graph('Table: consumed request units', [
        props.table.metricConsumedReadCapacityUnits({ statistic: 'Sum', period, label: 'read units' }),
        props.table.metricConsumedWriteCapacityUnits({ statistic: 'Sum', period, label: 'write units' }),
      ], 8),
    );
    // The handlers' EMF lines (lambdas/shared/metrics.ts): what happened, beside what it cost.
    this.dashboard.addWidgets(
      graph('Business metrics (sum per period)', businessMetrics.map((metricName) => new Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { service: METRICS_SERVICE }, statistic: 'Sum', period, label: metricName })), 24),
    );
    // Per route: the units each request line reports (lambdas/shared/http.ts), consumers' batch lines alike.
    this.dashboard.addWidgets(
      ...chunks([...props.functions], PER_WIDGET).map(
        (part, i, all) =>
          new LogQueryWidget({
            title: titled('Request units by route or function (sum over the time range)', i, all.length),
            logGroupNames: part.map(({ logGroup }) => logGroup.logGroupName),
            view: LogQueryVisualizationType.TABLE,
            queryLines: [
              'filter ispresent(dynamoReadUnits)',
              'fields coalesce(route, @log) as source, dynamoReadUnits + dynamoWriteUnits as units',
              'stats sum(dynamoReadUnits) as readUnits, sum(dynamoWriteUnits) as writeUnits, sum(units) as allUnits, count(*) as lines by source',
              'sort allUnits desc',
            ],
            width: 24,
            height: 8,
          }),
      ),
    );
  }
}


function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const titled = (title: string, index: number, count: number) => (count === 1 ? title : `${title} (${index + 1} of ${count})`);
