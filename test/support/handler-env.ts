import { readFileSync } from 'node:fs';
import { inject } from 'vitest';
import { DEPLOYMENT_SECRET_ENV, queueDefinitions } from '../../lib/queue-definitions';
import { stateFiles } from '../../local/paths';
import { endpoints } from './api';

/**
 * Points handler modules loaded into the test process at the local stack, as `npm start` does
 * for its own; modules that read configuration at load time must be imported after this.
 */
export function pointHandlersAtLocalStack(): void {
  Object.assign(process.env, {
    TABLE_NAME: endpoints.tableName,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_REGION: endpoints.region,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    ...Object.fromEntries(queueDefinitions.map((q) => [q.urlEnv, endpoints.queues[q.name]])),
    // The stack's own, so keys derived here (credential hashes, cookie MACs) match the routes'.
    [DEPLOYMENT_SECRET_ENV]: readFileSync(stateFiles(inject('stateDir')).deploymentSecret, 'utf8').trim(),
  });
}
