import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { alarmSettings } from '../../lib/alarm-settings';
import { PlayheadApiStack } from '../../lib/cdk/api-stack';
import { PlayheadDataStack } from '../../lib/cdk/data-stack';
import { repoRoot } from '../../lib/cdk/playhead-function';
import { type ConsumerDefinition, consumers } from '../../lib/consumers';
import { dlqName, type QueueDefinition, queueDefinitions } from '../../lib/queue-definitions';
import { type RouteDefinition, routes } from '../../lib/routes';
import { defaultStageThrottle } from '../../lib/throttle';
import { businessMetrics } from '../../lambdas/shared/metrics';

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };
type TemplateJson = { Resources: Record<string, Resource>; Parameters?: Record<string, unknown>; Outputs?: Record<string, { Value: unknown }> };
type Dimension = { Name: string; Value: unknown };

const cdkContext = (JSON.parse(readFileSync(path.join(repoRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

/** The wiring only, so no esbuild: test/cdk/stacks.test.ts synthesises the bundled app (and runs cdk-nag over it, alarms included). */
function buildApp(context: Record<string, unknown> = {}) {
  const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [], ...context } });
  const data = new PlayheadDataStack(app, 'Playhead-Data');
  const api = new PlayheadApiStack(app, 'Playhead-Api', { table: data.table, queues: data.queues, failureQueue: data.failureQueue, feedCursorSecret: data.feedCursorSecret, pushCredentialsSecret: data.pushCredentialsSecret, deploymentSecret: data.deploymentSecret });
  return { app, data, api };
}

const logicalIdOf = (construct: IConstruct) => Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
const resources = (template: TemplateJson, type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);

let data: PlayheadDataStack;
let api: PlayheadApiStack;
let dataJson: TemplateJson;
let apiJson: TemplateJson;
let alarmsJson: TemplateJson;
let variant: { api: PlayheadApiStack; apiJson: TemplateJson; alarmsJson: TemplateJson };

beforeAll(() => {
  ({ data, api } = buildApp());
  dataJson = Template.fromStack(data).toJSON() as TemplateJson;
  apiJson = Template.fromStack(api).toJSON() as TemplateJson;
  alarmsJson = Template.fromStack(api.alarms).toJSON() as TemplateJson;
  const other = buildApp({ alarmEmail: 'ops@example.com', throttleRate: '40', throttleBurst: '80' });
  variant = { api: other.api, apiJson: Template.fromStack(other.api).toJSON() as TemplateJson, alarmsJson: Template.fromStack(other.api.alarms).toJSON() as TemplateJson };
}, 180_000);

/**
 * Which stack's resource a value in the alarms' nested stack stands for, as `stack:logicalId`:
 * a data stack export (`Fn::ImportValue`) or a parameter the API stack passes in.
 */
function sourceOf(value: unknown, parent: TemplateJson = apiJson): string {
  const v = value as { 'Fn::ImportValue'?: string; Ref?: string };
  if (typeof v['Fn::ImportValue'] === 'string') {
    const match = /^Playhead-Data:ExportsOutputFnGetAtt(.+?)QueueName[0-9A-F]{8}$/.exec(v['Fn::ImportValue']);
    if (match) return `data:${match[1]}`;
  }
  if (typeof v.Ref === 'string') {
    const passed = alarmsParameters(parent)[v.Ref];
    const [id, attribute] = passed?.['Fn::GetAtt'] ?? [passed?.Ref];
    // A route stack's resource (lib/cdk/route-stacks.ts) comes through one of its outputs.
    const routeStack = Object.values(api.routeStacks).find((nested) => Stack.of(api).getLogicalId(nested.nestedStackResource as CfnElement) === id);
    if (routeStack !== undefined && attribute?.startsWith('Outputs.')) {
      const output = (Template.fromStack(routeStack).toJSON() as TemplateJson).Outputs?.[attribute.slice('Outputs.'.length)]?.Value as { Ref?: string; 'Fn::GetAtt'?: [string, string] } | undefined;
      const inner = output?.Ref ?? output?.['Fn::GetAtt']?.[0];
      if (inner !== undefined) return `${routeStack.node.id}:${inner}`;
    }
    if (id !== undefined) return `api:${id}`;
  }
  throw new Error(`cannot tell what ${JSON.stringify(value)} refers to`);
}

/** The parameters the API stack passes to the alarms' nested stack. */
function alarmsParameters(parent: TemplateJson): Record<string, { Ref?: string; 'Fn::GetAtt'?: [string, string] }> {
  const alarmsId = Stack.of(api).getLogicalId(api.alarms.nestedStackResource as CfnElement);
  const nested = parent.Resources[alarmsId] as Resource | undefined;
  return (nested?.Properties.Parameters ?? {}) as Record<string, { Ref?: string; 'Fn::GetAtt'?: [string, string] }>;
}

/** What sourceOf answers for a construct: its stack (the API stack, or a route stack by id) and logical id. */
const sourceName = (construct: IConstruct) => `${Stack.of(construct).nested ? Stack.of(construct).node.id : 'api'}:${logicalIdOf(construct)}`;

const dimension = (alarm: Resource, name: string) => (alarm.Properties.Dimensions as Dimension[] | undefined)?.find((d) => d.Name === name)?.Value;
const alarmsOn = (template: TemplateJson, metricName: string) => resources(template, 'AWS::CloudWatch::Alarm').filter(([, a]) => a.Properties.MetricName === metricName);

/** Every SQS queue of both stacks with no "any message visible" alarm, except those named as read by someone. */
function unalarmedQueues(templates: { data: TemplateJson; api: TemplateJson; alarms: TemplateJson }, readQueues: ReadonlySet<string>): string[] {
  const alarmed = new Set(
    alarmsOn(templates.alarms, 'ApproximateNumberOfMessagesVisible')
      .filter(([, a]) => a.Properties.Threshold === 1 && a.Properties.ComparisonOperator === 'GreaterThanOrEqualToThreshold')
      .map(([, a]) => sourceOf(dimension(a, 'QueueName'), templates.api)),
  );
  const all = [
    ...resources(templates.data, 'AWS::SQS::Queue').map(([id]) => `data:${id}`),
    ...resources(templates.api, 'AWS::SQS::Queue').map(([id]) => `api:${id}`),
  ];
  return all.filter((queue) => !alarmed.has(queue) && !readQueues.has(queue));
}

describe('failure queues', () => {
  // Derived from the definitions, not from the stacks: each queue definition's DLQ, the queues
  // that hold failures themselves, and each consumer trigger's failure destination.
  const expectedNames = [
    ...(queueDefinitions as readonly QueueDefinition[]).flatMap((d) => [dlqName(d.name), ...(d.holdsFailures ? [d.name] : [])]),
    ...(Object.values(consumers) as readonly ConsumerDefinition[]).flatMap(({ trigger }) =>
      trigger.kind === 'stream' ? [trigger.failureQueueName] : trigger.kind === 'bucket-events' ? [trigger.deadLetterQueueId] : [],
    ),
  ];
  /** Queues something reads: the work and event queues of the definitions that are not failures. */
  const readQueues = () => new Set((queueDefinitions as readonly QueueDefinition[]).filter((d) => !d.holdsFailures).map((d) => `data:${logicalIdOf(data.queues[d.name as keyof typeof data.queues])}`));

  it('include stream-poison, the stream router failure queue, the upload event DLQ and every queue DLQ', () => {
    expect(expectedNames).toEqual(expect.arrayContaining(['stream-poison', 'stream-poison-dlq', 'stream-router-failures', 'UploadEventFailures', ...queueDefinitions.map((d) => dlqName(d.name))]));
  });

  it('each raise an alarm on one visible message, and no other queue does', () => {
    const alarms = alarmsOn(alarmsJson, 'ApproximateNumberOfMessagesVisible');
    expect(alarms).toHaveLength(expectedNames.length);
    expect(Object.keys(api.alarms.queueAlarms).sort()).toEqual([...expectedNames].sort());
    for (const [, alarm] of alarms) {
      expect(alarm.Properties).toMatchObject({ Namespace: 'AWS/SQS', Statistic: 'Maximum', Threshold: 1, EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
    }
    // Each alarm watches a different queue, and each of those is a queue of the stacks.
    const watched = alarms.map(([, a]) => sourceOf(dimension(a, 'QueueName')));
    expect(new Set(watched).size).toBe(expectedNames.length);
  });

  it('leave no queue of either stack unwatched: every queue is read by something or alarmed', () => {
    expect(unalarmedQueues({ data: dataJson, api: apiJson, alarms: alarmsJson }, readQueues())).toEqual([]);
    // The DLQ of every queue, the stream router's failure destination and the upload rule's DLQ, from the templates themselves.
    const redriveTargets = resources(dataJson, 'AWS::SQS::Queue').flatMap(([, q]) => {
      const target = (q.Properties.RedrivePolicy as { deadLetterTargetArn?: { 'Fn::GetAtt': [string, string] } } | undefined)?.deadLetterTargetArn;
      return target ? [`data:${target['Fn::GetAtt'][0]}`] : [];
    });
    expect(redriveTargets).toHaveLength(queueDefinitions.length);
    const ruleDlqs = resources(apiJson, 'AWS::Events::Rule').flatMap(([, r]) => (r.Properties.Targets as { DeadLetterConfig?: { Arn: { 'Fn::GetAtt': [string, string] } } }[]).flatMap((t) => (t.DeadLetterConfig ? [`api:${t.DeadLetterConfig.Arn['Fn::GetAtt'][0]}`] : [])));
    const alarmed = alarmsOn(alarmsJson, 'ApproximateNumberOfMessagesVisible').map(([, a]) => sourceOf(dimension(a, 'QueueName')));
    expect(alarmed).toEqual(expect.arrayContaining([...redriveTargets, ...ruleDlqs, `data:${logicalIdOf(data.failureQueue)}`]));
  });

  it('a queue added without an alarm is found (so the empty list above means something)', () => {
    const tampered = structuredClone(apiJson);
    tampered.Resources.StrayFailures = { Type: 'AWS::SQS::Queue', Properties: {} };
    expect(unalarmedQueues({ data: dataJson, api: tampered, alarms: alarmsJson }, readQueues())).toEqual(['api:StrayFailures']);
  });
});

describe('function alarms', () => {
  it.each(['Errors', 'Throttles'])('every function has a %s alarm at one in a period', (metricName) => {
    const alarms = alarmsOn(alarmsJson, metricName).filter(([, a]) => a.Properties.Namespace === 'AWS/Lambda');
    const watched = alarms.map(([, a]) => sourceOf(dimension(a, 'FunctionName'))).sort();
    const expected = [...routes.map((r) => r.id), ...Object.values(consumers).map((c) => c.id)].map((id) => {
      const fn = api.functions[id];
      if (fn === undefined) throw new Error(`no function ${id}`);
      return sourceName(fn.fn);
    });
    expect(watched).toEqual(expected.sort());
    for (const [, alarm] of alarms) {
      expect(alarm.Properties).toMatchObject({ Statistic: 'Sum', Period: alarmSettings.periodMinutes * 60, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
    }
  });

  it('the stream router alarms when its iterator age stays over 60 s', () => {
    const [[, alarm] = []] = alarmsOn(alarmsJson, 'IteratorAge');
    expect(alarm?.Properties).toMatchObject({ Namespace: 'AWS/Lambda', Statistic: 'Maximum', Period: 60, Threshold: 60_000, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: alarmSettings.iteratorAge.minutes });
    expect(sourceOf(dimension(alarm as Resource, 'FunctionName'))).toBe(`api:${logicalIdOf(api.functions[consumers.streamRouter.id]?.fn as IConstruct)}`);
  });
});

describe('API alarms', () => {
  const httpApiId = () => `api:${logicalIdOf(api.httpApi)}`;

  it('alarm on the share of 5xx answers', () => {
    const [[, alarm] = []] = resources(alarmsJson, 'AWS::CloudWatch::Alarm').filter(([, a]) => JSON.stringify(a.Properties.Metrics ?? []).includes('"5xx"'));
    expect(alarm?.Properties.Threshold).toBe(alarmSettings.serverErrorPercent);
    const metrics = alarm?.Properties.Metrics as { Id: string; Expression?: string; MetricStat?: { Metric: { MetricName: string; Dimensions: Dimension[] } } }[];
    expect(metrics.find((m) => m.Expression)?.Expression).toMatch(/100 \* FILL\(errors, 0\) \/ requests/);
    for (const name of ['Count', '5xx']) {
      const stat = metrics.find((m) => m.MetricStat?.Metric.MetricName === name)?.MetricStat;
      expect(stat?.Metric.Dimensions.map((d) => [d.Name, sourceOf(d.Value)])).toEqual([['ApiId', httpApiId()]]);
    }
  });

  it('alarm on the 99th percentile latency', () => {
    const [[, alarm] = []] = alarmsOn(alarmsJson, 'Latency');
    expect(alarm?.Properties).toMatchObject({ Namespace: 'AWS/ApiGateway', ExtendedStatistic: 'p99', Threshold: alarmSettings.p99Latency.thresholdMs, EvaluationPeriods: alarmSettings.p99Latency.periods });
    expect(sourceOf(dimension(alarm as Resource, 'ApiId'))).toBe(httpApiId());
  });
});

describe('alarm topic', () => {
  it('every alarm notifies the one topic, alarm actions only (a first deploy mails nothing)', () => {
    const [[topicId] = []] = resources(alarmsJson, 'AWS::SNS::Topic');
    expect(resources(alarmsJson, 'AWS::SNS::Topic')).toHaveLength(1);
    for (const [id, alarm] of resources(alarmsJson, 'AWS::CloudWatch::Alarm')) {
      expect(alarm.Properties.AlarmActions, id).toEqual([{ Ref: topicId }]);
      expect(alarm.Properties.OKActions, id).toBeUndefined();
      expect(alarm.Properties.AlarmName, id).toMatch(/^Playhead-Api-/);
    }
  });

  it('the push sender\'s credentials alarm stays where it is and notifies the same topic, not a copy', () => {
    expect(alarmsOn(alarmsJson, 'PushCredentialRefusals')).toEqual([]);
    const parentAlarms = alarmsOn(apiJson, 'PushCredentialRefusals');
    expect(parentAlarms).toHaveLength(1);
    expect(parentAlarms[0]?.[1].Properties.AlarmActions).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^Alarms/), expect.stringMatching(/^Outputs\..*Topic.*Ref$/)] }]);
  });

  it('is encrypted with a rotated key CloudWatch may use, and refuses plain HTTP', () => {
    const [[keyId, key] = []] = resources(alarmsJson, 'AWS::KMS::Key');
    expect(key?.Properties.EnableKeyRotation).toBe(true);
    expect(JSON.stringify(key?.Properties.KeyPolicy)).toContain('cloudwatch.amazonaws.com');
    expect(resources(alarmsJson, 'AWS::SNS::Topic')[0]?.[1].Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    const [[, policy] = []] = resources(alarmsJson, 'AWS::SNS::TopicPolicy');
    expect(JSON.stringify(policy?.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
  });

  it('has no subscription without alarmEmail, and an e-mail subscription with it', () => {
    expect(resources(alarmsJson, 'AWS::SNS::Subscription')).toEqual([]);
    const subscriptions = resources(variant.alarmsJson, 'AWS::SNS::Subscription');
    expect(subscriptions.map(([, s]) => s.Properties)).toEqual([{ Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: { Ref: expect.stringMatching(/^Topic/) } }]);
  });

  it('refuses an alarmEmail that is not an address', () => {
    expect(() => buildApp({ alarmEmail: 'ops' })).toThrow(/alarmEmail/);
  });
});

describe('dashboard', () => {
  const body = () => {
    const [[, dashboard] = []] = resources(alarmsJson, 'AWS::CloudWatch::Dashboard');
    // The body is JSON inside a Fn::Join of strings: unescape its quotes to read it as JSON text.
    return { name: dashboard?.Properties.DashboardName, text: JSON.stringify(dashboard?.Properties.DashboardBody).replace(/\\"/g, '"') };
  };

  it('is named after the stack, and its address is an output', () => {
    expect(body().name).toBe('Playhead-Api');
    expect(JSON.stringify(apiJson.Outputs?.DashboardUrl?.Value)).toContain('#dashboards/dashboard/Playhead-Api');
  });

  it('shows every alarm, the API, the failure queues, the iterator age, each function, the credential refusals and the table\'s units', () => {
    const { text } = body();
    for (const [id] of resources(alarmsJson, 'AWS::CloudWatch::Alarm')) expect(text, id).toContain(`"Fn::GetAtt":["${id}","Arn"]`);
    for (const metric of ['"5xx"', '"4xx"', '"Count"', '"Latency"', '"IteratorAge"', '"PushCredentialRefusals"', '"ConsumedReadCapacityUnits"', '"ConsumedWriteCapacityUnits"']) expect(text).toContain(metric);
    for (const [, alarm] of alarmsOn(alarmsJson, 'ApproximateNumberOfMessagesVisible')) expect(text).toContain(JSON.stringify(dimension(alarm, 'QueueName')));
    for (const [, alarm] of alarmsOn(alarmsJson, 'Errors')) expect(text).toContain(JSON.stringify(dimension(alarm, 'FunctionName')));
  });

  it('graphs every business metric in the Playhead namespace by its service dimension', () => {
    const { text } = body();
    for (const name of businessMetrics) expect(text).toContain(`["Playhead","${name}","service","playhead"`);
  });

  it('sums the request units every function logs, by route, with Logs Insights over every function log group', () => {
    const { text } = body();
    expect(text).toContain('filter ispresent(dynamoReadUnits)');
    expect(text).toContain('sum(dynamoWriteUnits)');
    const logGroups = Object.values(api.functions).map((fn) => sourceName(fn.logGroup));
    // The log groups reach the nested stack as parameters; each appears in the body by its parameter.
    const queried = Object.keys(alarmsParameters(apiJson))
      .filter((name) => text.includes(`{"Ref":"${name}"}`))
      .map((name) => sourceOf({ Ref: name }));
    expect(queried).toEqual(expect.arrayContaining(logGroups));
  });

  it('leaves no CDK warning or error (a nested stack reports through its parent)', () => {
    expect(Annotations.fromStack(api).findWarning('*', Match.anyValue())).toEqual([]);
    expect(Annotations.fromStack(api).findError('*', Match.anyValue())).toEqual([]);
  });
});

describe('throttling', () => {
  const stageOf = (template: TemplateJson) => resources(template, 'AWS::ApiGatewayV2::Stage')[0]?.[1] as Resource;
  const throttled = (routes as readonly RouteDefinition[]).filter((r) => r.throttle !== undefined);

  it('gives the stage the default rate and burst, and the expensive routes (catalog diff, episode fetch, sync push) their own', () => {
    expect(throttled.map((r) => r.id).sort()).toEqual(['DiffCatalog', 'FetchEpisodes', 'PushSyncSession']);
    const stage = stageOf(apiJson);
    expect(stage.Properties.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: defaultStageThrottle.rateLimit, ThrottlingBurstLimit: defaultStageThrottle.burstLimit });
    expect(stage.Properties.RouteSettings).toEqual(
      Object.fromEntries(throttled.map((r) => [`${r.method} ${r.path}`, { ThrottlingRateLimit: r.throttle?.rateLimit, ThrottlingBurstLimit: r.throttle?.burstLimit }])),
    );
  });

  it('creates the stage after the routes it names, as CloudFormation requires', () => {
    const routeIds = resources(apiJson, 'AWS::ApiGatewayV2::Route').filter(([, r]) => throttled.some((t) => r.Properties.RouteKey === `${t.method} ${t.path}`)).map(([id]) => id);
    expect(routeIds).toHaveLength(throttled.length);
    expect(stageOf(apiJson).DependsOn).toEqual(expect.arrayContaining(routeIds));
  });

  it('takes the stage default from throttleRate and throttleBurst, and never lets a route exceed it', () => {
    const stage = stageOf(variant.apiJson);
    expect(stage.Properties.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 40, ThrottlingBurstLimit: 80 });
    const settings = stage.Properties.RouteSettings as Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }>;
    expect(settings['POST /v1/catalogs/{catalogId}/diff']).toEqual({ ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 });
    expect(settings['POST /v1/sync/sessions/{sessionId}/push']).toEqual({ ThrottlingRateLimit: 40, ThrottlingBurstLimit: 80 });
  });

  it.each([
    [{ throttleRate: 'fast' }, /throttleRate/],
    [{ throttleRate: '0' }, /throttleRate/],
    [{ throttleBurst: '5001' }, /throttleBurst/],
    [{ throttleRate: 2.5 }, /throttleRate/],
  ])('refuses %o', (context, message) => {
    expect(() => buildApp(context)).toThrow(message);
  });
});
