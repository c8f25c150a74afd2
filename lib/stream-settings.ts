/**
 * How the stream router consumes the table's stream, shared by the CDK event source mapping
 * and the local stream poller so both behave alike.
 */
export const streamRouterSettings = {
  batchSize: 100,
  /** Retries of a failing batch before its records go to the failure destination. */
  retryAttempts: 10,
  maxBatchingWindowSeconds: 1,
  bisectBatchOnError: true,
  reportBatchItemFailures: true,
  /** Queue that receives the description of records that could not be processed. */
  failureQueueName: 'stream-router-failures',
} as const;
