import { queueDefinitions } from '../../lib/queue-definitions';
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
  });
}
