/**
 * List prices the bench prices its measurements with: AWS us-east-1, on demand, no free tier,
 * and the per-operation prices of the services a team would compare. Each figure's source is
 * in docs/BENCHMARKS.md under the section that uses it.
 */
export const PRICES = {
  /** HTTP API, first 300 million requests a month (https://aws.amazon.com/api-gateway/pricing/). */
  apiGatewayPerMillion: 1.0,
  /** Lambda, arm64 (https://aws.amazon.com/lambda/pricing/). */
  lambdaRequestsPerMillion: 0.2,
  lambdaArmGbSecond: 0.0000133334,
  /** DynamoDB on demand, standard table class (https://aws.amazon.com/dynamodb/pricing/on-demand/). */
  dynamoWritePerMillion: 0.625,
  dynamoReadPerMillion: 0.125,
  dynamoStorageGbMonth: 0.25,
  /** SQS standard queues: a request carries up to 10 messages, each 64 KB chunk billed as one (https://aws.amazon.com/sqs/pricing/). */
  sqsPerMillion: 0.4,
  s3PutPer1000: 0.005,
  s3GetPer1000: 0.0004,
  s3StorageGbMonth: 0.023,
  transferOutPerGb: 0.09,
  /** CloudWatch Logs, Standard class, ingestion (https://aws.amazon.com/cloudwatch/pricing/). */
  logsIngestPerGb: 0.5,
  /** Cognito Sync: $0.15 per 10,000 sync operations (https://aws.amazon.com/cognito/pricing/, the Cognito Sync section). */
  cognitoSyncPerMillion: 15,
  /** AppSync: query and mutation operations, and real-time updates delivered (https://aws.amazon.com/appsync/pricing/). */
  appSyncOperationsPerMillion: 4.0,
  appSyncRealtimeUpdatesPerMillion: 2.0,
  /** Firestore Standard edition, document writes and reads, US multi-region nam5 (https://cloud.google.com/firestore/pricing). */
  firestoreWritesPerMillionMultiRegion: 1.8,
  firestoreReadsPerMillionMultiRegion: 0.6,
  /** …and a US single region (us-east1). */
  firestoreWritesPerMillionRegional: 0.9,
} as const;

export const money = (value: number, digits = 2) => `$${value.toFixed(digits)}`;
