import * as z from 'zod';

/**
 * Errors that are about one request's own content (an item too large, a value DynamoDB
 * cannot hold, characters SQS refuses, stored data that fails its schema): the same request
 * sent again can never succeed. Everything else can: throttling, a service fault or a network
 * failure passes, a lost race on a condition is retried, and a misconfiguration (missing
 * permission, missing queue) fails every request alike, so it must not be mistaken for one
 * bad record.
 */
const CONTENT_ERRORS = new Set([
  // DynamoDB
  'ValidationException',
  'SerializationException',
  // A user's item collection at its 10 GB cap (the table has an LSI): every write to it fails until data goes.
  'ItemCollectionSizeLimitExceededException',
  // SQS
  'InvalidMessageContents',
  'BatchRequestTooLong',
  'MessageTooLong',
  'InvalidParameterValue',
  'InvalidParameterValueException',
]);

export function isPermanentError(error: unknown): boolean {
  // Stored data that fails its schema reads the same every time.
  if (error instanceof z.ZodError) return true;
  if (!(error instanceof Error)) return false;
  // SQS's query-protocol codes come prefixed: `AWS.SimpleQueueService.InvalidMessageContents`.
  const name = error.name.split('.').pop() ?? error.name;
  return CONTENT_ERRORS.has(name);
}
