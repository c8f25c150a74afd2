import { SQSClient } from '@aws-sdk/client-sqs';

/**
 * One SQS client per container. Requests go to the endpoint the SDK resolves for the region
 * (or AWS_ENDPOINT_URL_SQS), never to the host inside a queue URL: in AWS both are the same,
 * and on a laptop the emulator's queue URLs name a host that need not resolve.
 */
export const sqsClient = new SQSClient({ useQueueUrlAsEndpoint: false });
