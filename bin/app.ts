/**
 * The CDK app (`npm run synth`, `npm run deploy`). Configuration through context (-c key=value
 * or cdk.json): jwtIssuer and jwtAudience of the identity provider (both or neither; neither
 * creates a Cognito user pool), countryClaim (the token claim that carries the country),
 * feedRetentionDays (how long the change feed keeps changes; default 30), throttleRate and
 * throttleBurst (each route's requests per second and burst; lib/throttle.ts), alarmEmail (an
 * address subscribed to the alarm topic of lib/cdk/alarms.ts; none when absent), dax (`on` adds
 * the DAX cluster of lib/cdk/dax.ts for the catalog reads by key; off when absent).
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PlayheadApiStack } from '../lib/cdk/api-stack';
import { PlayheadDataStack } from '../lib/cdk/data-stack';

const app = new App();

// Environment-agnostic unless the CLI knows the target account and region: nothing here
// looks anything up, so the same templates deploy anywhere.
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;
const env = account && region ? { account, region } : undefined;

const data = new PlayheadDataStack(app, 'Playhead-Data', { env, description: 'Playhead state: table, media bucket, queues' });
new PlayheadApiStack(app, 'Playhead-Api', {
  env,
  description: 'Playhead HTTP API, route functions and stream router; alarms and dashboard (nested)',
  table: data.table,
  queues: data.queues,
  failureQueue: data.failureQueue,
  feedCursorSecret: data.feedCursorSecret,
  pushCredentialsSecret: data.pushCredentialsSecret,
  deploymentSecret: data.deploymentSecret,
});

// cdk-nag 3 is a policy validation plugin: an unacknowledged error fails the synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
