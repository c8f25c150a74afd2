import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { PlayheadApiStack } from '../../lib/cdk/api-stack';
import { PlayheadDataStack } from '../../lib/cdk/data-stack';
import { repoRoot } from '../../lib/cdk/playhead-function';
import { consumers } from '../../lib/consumers';
import { productionPushEndpoints, pushEnv } from '../../lib/push-definitions';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

const cdkContext = (JSON.parse(readFileSync(path.join(repoRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

let app: App;
let data: PlayheadDataStack;
let api: PlayheadApiStack;
let dataTemplate: Template;
let apiTemplate: Template;

beforeAll(() => {
  // The wiring only: bundling is the other stack test's concern.
  app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } });
  data = new PlayheadDataStack(app, 'Playhead-Data');
  api = new PlayheadApiStack(app, 'Playhead-Api', {
    table: data.table,
    queues: data.queues,
    failureQueue: data.failureQueue,
    feedCursorSecret: data.feedCursorSecret,
    pushCredentialsSecret: data.pushCredentialsSecret,
    deploymentSecret: data.deploymentSecret,
  });
  dataTemplate = Template.fromStack(data);
  apiTemplate = Template.fromStack(api);
});

const sender = () => {
  const fn = api.functions[consumers.pushSender.id];
  if (fn === undefined) throw new Error('no push sender');
  return fn;
};
const logicalIdOf = (construct: { node: { defaultChild?: unknown } }) => Stack.of(construct as never).getLogicalId(construct.node.defaultChild as CfnElement);

describe('push sender', () => {
  it('consumes notifications, changes and its hint flushes, ten at a time, at most two invocations per source, with partial batch failures', () => {
    const mappings = Object.values(apiTemplate.findResources('AWS::Lambda::EventSourceMapping', { Properties: { FunctionName: { Ref: logicalIdOf(sender().fn) } } }));
    expect(mappings).toHaveLength(3);
    for (const mapping of mappings) {
      expect(mapping.Properties).toMatchObject({ BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'], ScalingConfig: { MaximumConcurrency: 2 } });
    }
    const sources = mappings.map((m) => JSON.stringify(m.Properties.EventSourceArn)).sort();
    expect(sources.join(' ')).toMatch(/Changes.*HintFlushes.*Notifications/);
  });

  it('is given the production endpoints and the secret by ARN, through the Parameters and Secrets extension', () => {
    const properties = apiTemplate.findResources('AWS::Lambda::Function')[logicalIdOf(sender().fn)]?.Properties as { Environment: { Variables: Record<string, unknown> }; Layers?: unknown[] };
    const variables = properties.Environment.Variables;
    expect(variables).toMatchObject(productionPushEndpoints);
    expect(variables[pushEnv.credentialsSecretId]).toEqual({ 'Fn::ImportValue': expect.stringMatching(/PushCredentials/) });
    expect(properties.Layers).toHaveLength(1);
  });

  it('may read its secret and nothing else of Secrets Manager, and no other function may read it', () => {
    const policies = Object.values(apiTemplate.findResources('AWS::IAM::Policy'));
    const secretStatements = policies.flatMap((p) => (p.Properties.PolicyDocument.Statement as Statement[]).map((s) => ({ roles: p.Properties.Roles, s }))).filter(({ s }) => [s.Action].flat().some((a) => a.startsWith('secretsmanager:')));
    expect(secretStatements.map(({ roles }) => roles)).toEqual([[{ Ref: logicalIdOf(sender().role) }]]);
    expect([secretStatements[0]?.s.Action].flat().sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
    expect(secretStatements[0]?.s.Resource).toEqual({ 'Fn::ImportValue': expect.stringMatching(/PushCredentials/) });
  });

  it('the secret is created empty in the data stack and retained', () => {
    dataTemplate.hasResource('AWS::SecretsManager::Secret', { Properties: { SecretString: '{}', Description: Match.stringLikeRegexp('push sender') }, DeletionPolicy: 'Retain' });
  });

  it('alarms when the push services refuse the credentials', () => {
    apiTemplate.hasResourceProperties('AWS::Logs::MetricFilter', { FilterPattern: '{ $.alarm = "push-credentials-refused" }' });
    apiTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'PushCredentialRefusals', Threshold: 1 });
  });

  it('leaves cdk-nag (AwsSolutions) nothing unacknowledged', () => {
    const findings = new AwsSolutionsChecks()
      .validateScope(app)
      .violations.filter((v) => v.severity === 'error' || v.severity === 'warning')
      .map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(findings).toEqual([]);
  });
});
