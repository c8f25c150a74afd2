/**
 * The DAX option's wiring, synthesised with and without `-c dax=on` (esbuild skipped: which
 * bundle variant each function gets is proven by test/bundles/bundles.test.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { PlayheadApiStack } from '../../lib/cdk/api-stack';
import type { PlayheadDax } from '../../lib/cdk/dax';
import { PlayheadDataStack } from '../../lib/cdk/data-stack';
import { repoRoot } from '../../lib/cdk/playhead-function';
import { consumers } from '../../lib/consumers';
import { DAX_ENDPOINT_ENV, daxFunctionIds, daxSettings } from '../../lib/dax-settings';
import { routes } from '../../lib/routes';

type Resource = { Type: string; Properties?: Record<string, unknown> };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

const cdkContext = (JSON.parse(readFileSync(path.join(repoRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

function synth(context: Record<string, unknown>) {
  const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [], ...context } });
  const data = new PlayheadDataStack(app, 'Playhead-Data');
  const api = new PlayheadApiStack(app, 'Playhead-Api', {
    table: data.table,
    queues: data.queues,
    failureQueue: data.failureQueue,
    feedCursorSecret: data.feedCursorSecret,
    pushCredentialsSecret: data.pushCredentialsSecret,
    deploymentSecret: data.deploymentSecret,
  });
  const dax = api.node.tryFindChild('Dax') as PlayheadDax | undefined;
  return { app, api, template: Template.fromStack(api), dax: dax === undefined ? undefined : Template.fromStack(dax) };
}

/** The DAX option's own (nested) stack, which must exist with dax=on. */
function daxTemplate(): Template {
  if (on.dax === undefined) throw new Error('dax=on made no DAX stack');
  return on.dax;
}

const logicalIdOf = (construct: IConstruct) => Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
const resourcesOf = (template: Template) => template.toJSON().Resources as Record<string, Resource>;
const ofType = (template: Template, type: string) => Object.entries(resourcesOf(template)).filter(([, r]) => r.Type === type);
const EC2_AND_DAX = /^AWS::(EC2|DAX)::/;

let off: ReturnType<typeof synth>;
let on: ReturnType<typeof synth>;

beforeAll(() => {
  off = synth({});
  on = synth({ dax: 'on' });
}, 120_000);

const functionIds = () => [...routes.map((r) => r.id), ...Object.values(consumers).map((c) => c.id)];
/** The template of the stack a construct is in: the API stack or one of its nested route stacks. */
const templates = new Map<Stack, Template>();
const templateOf = (construct: IConstruct): Template => {
  const stack = Stack.of(construct);
  const template = templates.get(stack) ?? Template.fromStack(stack);
  templates.set(stack, template);
  return template;
};

const fnResource = (built: ReturnType<typeof synth>, id: string) => {
  const fn = built.api.functions[id];
  if (fn === undefined) throw new Error(`no function ${id}`);
  const resource = resourcesOf(templateOf(fn.fn))[logicalIdOf(fn.fn)];
  if (resource === undefined) throw new Error(`no resource for ${id}`);
  return { fn, properties: resource.Properties ?? {} };
};

function allowedActions(built: ReturnType<typeof synth>, id: string): string[] {
  const { fn } = fnResource(built, id);
  const role = { Ref: logicalIdOf(fn.role) };
  return ofType(templateOf(fn.role), 'AWS::IAM::Policy')
    .filter(([, r]) => JSON.stringify(r.Properties?.Roles) === JSON.stringify([role]))
    .flatMap(([, r]) => ((r.Properties?.PolicyDocument as { Statement: Statement[] } | undefined)?.Statement ?? []))
    .filter((s) => s.Effect === 'Allow')
    .flatMap((s) => [s.Action].flat());
}

describe('without dax=on (the default)', () => {
  it('has no VPC, no cluster, and no function in a VPC or given an endpoint', () => {
    expect(off.dax).toBeUndefined();
    expect(Object.values(resourcesOf(off.template)).filter((r) => EC2_AND_DAX.test(r.Type))).toEqual([]);
    for (const id of functionIds()) {
      const { properties } = fnResource(off, id);
      expect(properties.VpcConfig, id).toBeUndefined();
      expect(JSON.stringify(properties.Environment ?? {}), id).not.toContain(DAX_ENDPOINT_ENV);
    }
  });
});

describe('with dax=on', () => {
  it('builds a cluster of three nodes, TLS only, encrypted at rest, with the item TTL of the catalog cache', () => {
    daxTemplate().resourceCountIs('AWS::DAX::Cluster', 1);
    daxTemplate().hasResourceProperties('AWS::DAX::Cluster', {
      NodeType: daxSettings.nodeType,
      ReplicationFactor: 3,
      ClusterEndpointEncryptionType: 'TLS',
      SSESpecification: { SSEEnabled: true },
    });
    daxTemplate().hasResourceProperties('AWS::DAX::ParameterGroup', {
      ParameterNameValues: { 'record-ttl-millis': String(daxSettings.recordTtlMs), 'query-ttl-millis': String(daxSettings.queryTtlMs) },
    });
    daxTemplate().resourceCountIs('AWS::DAX::SubnetGroup', 1);
  });

  it('lets the cluster read only the table, and only by key', () => {
    const daxRoles = ofType(daxTemplate(), 'AWS::IAM::Role').filter(([, r]) => JSON.stringify(r.Properties?.AssumeRolePolicyDocument).includes('dax.amazonaws.com'));
    expect(daxRoles).toHaveLength(1);
    const [roleId] = daxRoles[0] as [string, Resource];
    const actions = ofType(daxTemplate(), 'AWS::IAM::Policy')
      .filter(([, r]) => JSON.stringify(r.Properties?.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap(([, r]) => ((r.Properties?.PolicyDocument as { Statement: Statement[] } | undefined)?.Statement ?? []).flatMap((s) => [s.Action].flat()));
    expect(actions.sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:DescribeTable', 'dynamodb:GetItem']);
  });

  it('has isolated subnets only: no internet gateway, no NAT, a DynamoDB gateway endpoint and a flow log', () => {
    daxTemplate().resourceCountIs('AWS::EC2::VPC', 1);
    daxTemplate().resourceCountIs('AWS::EC2::InternetGateway', 0);
    daxTemplate().resourceCountIs('AWS::EC2::NatGateway', 0);
    for (const [, subnet] of ofType(daxTemplate(), 'AWS::EC2::Subnet')) expect(subnet.Properties?.MapPublicIpOnLaunch).toBe(false);
    expect(ofType(daxTemplate(), 'AWS::EC2::Subnet')).toHaveLength(3);
    const endpoints = ofType(daxTemplate(), 'AWS::EC2::VPCEndpoint');
    expect(endpoints).toHaveLength(1);
    expect(endpoints[0]?.[1].Properties?.VpcEndpointType).toBe('Gateway');
    expect(JSON.stringify(endpoints[0]?.[1].Properties?.ServiceName)).toContain('dynamodb');
    daxTemplate().hasResourceProperties('AWS::EC2::FlowLog', { ResourceType: 'VPC', TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    // Every route leads to the endpoint or stays inside the VPC.
    for (const [, route] of ofType(daxTemplate(), 'AWS::EC2::Route')) expect(route.Properties?.GatewayId).toBeUndefined();
  });

  it('puts exactly the DAX-using functions in the VPC, each with the endpoint and the right to read items through the cluster', () => {
    for (const id of functionIds()) {
      const { properties } = fnResource(on, id);
      const usesDax = (daxFunctionIds as readonly string[]).includes(id);
      expect(properties.VpcConfig !== undefined, id).toBe(usesDax);
      const environment = (properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
      if (!usesDax) {
        expect(environment[DAX_ENDPOINT_ENV], id).toBeUndefined();
        expect(allowedActions(on, id).filter((a) => a.startsWith('dax:')), id).toEqual([]);
        continue;
      }
      expect(JSON.stringify(environment[DAX_ENDPOINT_ENV]), id).toMatch(/Cluster.*ClusterDiscoveryEndpointURL/);
      expect(allowedActions(on, id).filter((a) => a.startsWith('dax:')).sort(), id).toEqual(['dax:BatchGetItem', 'dax:GetItem']);
    }
  });

  it('lets Lambda manage the network interfaces of those functions alone', () => {
    for (const id of functionIds()) {
      const { fn } = fnResource(on, id);
      const role = resourcesOf(templateOf(fn.role))[logicalIdOf(fn.role)];
      const managed = JSON.stringify(role?.Properties?.ManagedPolicyArns ?? []);
      expect(managed.includes('service-role/AWSLambdaVPCAccessExecutionRole'), id).toBe((daxFunctionIds as readonly string[]).includes(id));
    }
  });

  it('never places a function that needs SQS or S3 in the VPC, whose only way out is DynamoDB', () => {
    for (const id of daxFunctionIds) {
      const route = routes.find((r) => r.id === id);
      expect(route, id).toBeDefined();
      expect(route && 'sendsTo' in route ? route.sendsTo : undefined, id).toBeUndefined();
      expect(route && 'media' in route ? route.media : undefined, id).toBeUndefined();
    }
  });

  it('admits only the DAX-using functions to the cluster port, and nothing from anywhere else', () => {
    const groups = ofType(daxTemplate(), 'AWS::EC2::SecurityGroup');
    const groupNamed = (text: string) => {
      const found = groups.filter(([, r]) => String(r.Properties?.GroupDescription).includes(text));
      expect(found, text).toHaveLength(1);
      return found[0] as [string, Resource];
    };
    const [clusterGroupId, clusterGroup] = groupNamed('DAX cluster');
    const [functionGroupId] = groupNamed('read the catalog through DAX');

    const [[, cluster]] = ofType(daxTemplate(), 'AWS::DAX::Cluster') as [[string, Resource]];
    expect(cluster.Properties?.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [clusterGroupId, 'GroupId'] }]);
    // A function's group comes from the nested stack as one of its outputs.
    const outputs = daxTemplate().toJSON().Outputs as Record<string, { Value: unknown }>;
    for (const id of daxFunctionIds) {
      const vpcConfig = fnResource(on, id).properties.VpcConfig as { SecurityGroupIds: { 'Fn::GetAtt': [string, string] }[] };
      expect(vpcConfig.SecurityGroupIds, id).toHaveLength(1);
      const output = vpcConfig.SecurityGroupIds[0]?.['Fn::GetAtt'][1].replace(/^Outputs\./, '') ?? '';
      expect(outputs[output]?.Value, id).toEqual({ 'Fn::GetAtt': [functionGroupId, 'GroupId'] });
    }

    // No inline ingress anywhere; the one ingress rule is function group → cluster port.
    for (const [, group] of groups) expect(group.Properties?.SecurityGroupIngress).toBeUndefined();
    expect(ofType(daxTemplate(), 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties)).toEqual([
      expect.objectContaining({
        GroupId: { 'Fn::GetAtt': [clusterGroupId, 'GroupId'] },
        SourceSecurityGroupId: { 'Fn::GetAtt': [functionGroupId, 'GroupId'] },
        IpProtocol: 'tcp',
        FromPort: daxSettings.port,
        ToPort: daxSettings.port,
      }),
    ]);
    // The cluster starts no connection of its own (CDK writes "no egress" as this placeholder rule).
    expect(clusterGroup.Properties?.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '255.255.255.255/32' })]);
  });

  it('leaves cdk-nag (AwsSolutions, DDB4 and the VPC rules among them) nothing unacknowledged', () => {
    const findings = new AwsSolutionsChecks()
      .validateScope(on.app)
      .violations.filter((v) => v.severity === 'error' || v.severity === 'warning')
      .map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(findings).toEqual([]);
  });

  it('cdk-nag would catch a cluster without encryption at rest (so the empty result above means something)', () => {
    const probe = synth({ dax: 'on' });
    const cluster = probe.api.node.findAll().find((c) => c.node.id === 'Cluster' && c.node.path.includes('/Dax/'));
    (cluster as unknown as { sseSpecification: unknown }).sseSpecification = { sseEnabled: false };
    const rules = new AwsSolutionsChecks().validateScope(probe.app).violations.map((v) => v.ruleName);
    expect(rules).toContain('AwsSolutions-DDB4');
  });
});
