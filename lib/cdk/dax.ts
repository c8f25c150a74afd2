import { Fn, NestedStack, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { CfnCluster, CfnParameterGroup, CfnSubnetGroup } from 'aws-cdk-lib/aws-dax';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { FlowLogDestination, FlowLogTrafficType, GatewayVpcEndpointAwsService, type ISecurityGroup, Peer, Port, SecurityGroup, type SubnetSelection, SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import { ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { DAX_ENDPOINT_ENV, daxFunctionIds, daxSettings } from '../dax-settings';
import type { RouteDefinition } from '../routes';
import type { PlayheadFunction, PlayheadFunctionProps } from './playhead-function';

/** Where a DAX-using function runs: the isolated subnets, with the one security group the cluster admits. */
export interface DaxNetwork {
  vpc: Vpc;
  vpcSubnets: SubnetSelection;
  securityGroups: ISecurityGroup[];
}

/** The item cache holds copies of what the functions read; nothing else ever reads or writes through it. */
const CLUSTER_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:DescribeTable'];
const FUNCTION_DAX_ACTIONS = ['dax:GetItem', 'dax:BatchGetItem'];
const VPC_ACCESS_POLICY = 'service-role/AWSLambdaVPCAccessExecutionRole';

/**
 * The DAX option (`-c dax=on`, docs/DAX.md): a VPC of isolated subnets only (no NAT, no internet
 * gateway) whose one way out is the DynamoDB gateway endpoint, a flow log of its traffic, and a
 * three-node cluster that speaks TLS only, is encrypted at rest and keeps items for the catalog
 * cache's TTL. Only functions given `network` join the VPC, and only their security group
 * reaches the cluster's port. A nested stack of the API stack, like the alarms: about 30
 * resources of its own, outside the API stack's 500.
 */
export class PlayheadDax extends NestedStack {
  readonly vpc: Vpc;
  readonly cluster: CfnCluster;
  readonly clusterSecurityGroup: SecurityGroup;
  readonly functionSecurityGroup: SecurityGroup;
  readonly network: DaxNetwork;

  constructor(scope: Construct, id: string, props: { table: ITable }) {
    super(scope, id, { description: 'Playhead DAX option: the VPC, its DynamoDB endpoint and flow log, the cluster' });

    const flowLogs = new LogGroup(this, 'FlowLogs', { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    this.vpc = new Vpc(this, 'Vpc', {
      // Three zones resolved at deploy time, so a synthesised template needs no account look-up.
      availabilityZones: [0, 1, 2].map((index) => Fn.select(index, Fn.getAzs())),
      natGateways: 0,
      subnetConfiguration: [{ name: 'Isolated', subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      gatewayEndpoints: { DynamoDb: { service: GatewayVpcEndpointAwsService.DYNAMODB } },
      flowLogs: { All: { destination: FlowLogDestination.toCloudWatchLogs(flowLogs), trafficType: FlowLogTrafficType.ALL } },
      // Restricting the default group takes a custom-resource Lambda; nothing is ever placed in it.
      restrictDefaultSecurityGroup: false,
    });

    this.functionSecurityGroup = new SecurityGroup(this, 'FunctionSecurityGroup', {
      vpc: this.vpc,
      description: 'Playhead functions that read the catalog through DAX',
      allowAllOutbound: false,
    });
    this.clusterSecurityGroup = new SecurityGroup(this, 'ClusterSecurityGroup', {
      vpc: this.vpc,
      description: 'Playhead DAX cluster: its TLS port, from the DAX-using functions only',
      allowAllOutbound: false,
    });
    this.clusterSecurityGroup.addIngressRule(this.functionSecurityGroup, Port.tcp(daxSettings.port), 'DAX TLS from the DAX-using functions');
    this.functionSecurityGroup.addEgressRule(this.clusterSecurityGroup, Port.tcp(daxSettings.port), 'DAX TLS to the cluster');
    // The subnets route nowhere but the DynamoDB gateway endpoint, so HTTPS can reach DynamoDB alone.
    this.functionSecurityGroup.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'HTTPS to DynamoDB through the gateway endpoint (the only route)');

    const role = new Role(this, 'ClusterRole', { assumedBy: new ServicePrincipal('dax.amazonaws.com'), description: 'Lets the Playhead DAX cluster read the table it caches' });
    role.addToPolicy(new PolicyStatement({ actions: CLUSTER_TABLE_ACTIONS, resources: [props.table.tableArn] }));

    const isolated = this.vpc.selectSubnets({ subnetType: SubnetType.PRIVATE_ISOLATED });
    const subnetGroup = new CfnSubnetGroup(this, 'SubnetGroup', { description: 'Playhead DAX: the isolated subnets', subnetIds: isolated.subnetIds });
    const parameterGroup = new CfnParameterGroup(this, 'ParameterGroup', {
      description: 'Playhead DAX: item TTL of the catalog cache',
      parameterNameValues: { 'record-ttl-millis': String(daxSettings.recordTtlMs), 'query-ttl-millis': String(daxSettings.queryTtlMs) },
    });

    this.cluster = new CfnCluster(this, 'Cluster', {
      description: 'Playhead catalog item cache',
      iamRoleArn: role.roleArn,
      nodeType: daxSettings.nodeType,
      replicationFactor: daxSettings.nodes,
      clusterEndpointEncryptionType: 'TLS',
      sseSpecification: { sseEnabled: true },
      subnetGroupName: subnetGroup.ref,
      parameterGroupName: parameterGroup.ref,
      securityGroupIds: [this.clusterSecurityGroup.securityGroupId],
    });
    // The role's policy must exist before DAX checks it can reach the table.
    this.cluster.node.addDependency(role);

    this.network = { vpc: this.vpc, vpcSubnets: { subnets: isolated.subnets }, securityGroups: [this.functionSecurityGroup] };
  }

  /**
   * How a route's function is built and placed: in the VPC with the DAX variant when it is one of
   * `daxFunctionIds`. Such a route may need nothing but DynamoDB, since the VPC has no other way out.
   */
  placementFor(route: RouteDefinition): Pick<PlayheadFunctionProps, 'variant' | 'network'> {
    if (!(daxFunctionIds as readonly string[]).includes(route.id)) return {};
    if (route.sendsTo !== undefined || route.media !== undefined) {
      throw new Error(`${route.id} reads through DAX but also needs SQS or S3, which its VPC cannot reach; take it off daxFunctionIds (lib/dax-settings.ts)`);
    }
    return { variant: 'dax', network: this.network };
  }

  /** Gives a function in the VPC the cluster's discovery endpoint (`daxs://…`) and the right to read items through it. */
  admit(fn: PlayheadFunction): void {
    fn.fn.addEnvironment(DAX_ENDPOINT_ENV, this.cluster.attrClusterDiscoveryEndpointUrl);
    fn.fn.addToRolePolicy(new PolicyStatement({ actions: FUNCTION_DAX_ACTIONS, resources: [this.cluster.attrArn] }));
    // Lambda creates, describes and deletes a VPC function's network interfaces with the function's
    // own role; a role CDK did not make gets no such grant by itself.
    fn.role.addManagedPolicy(ManagedPolicy.fromAwsManagedPolicyName(VPC_ACCESS_POLICY));
    Validations.of(fn.role).acknowledge({
      id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${VPC_ACCESS_POLICY}]`,
      reason: 'The AWS managed policy Lambda documents for VPC functions: only the EC2 network-interface actions Lambda performs for the function, kept current by AWS; the describe actions among them take no resource scope.',
    });
  }
}
