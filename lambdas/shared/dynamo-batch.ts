import { BatchGetCommand, BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from './dynamo';

/**
 * BatchGetItem and BatchWriteItem with their partial answers handled: DynamoDB may leave some
 * keys (UnprocessedKeys) or writes (UnprocessedItems) undone when a partition is throttled or
 * an answer would pass 16 MB; those are sent again with exponential backoff and full jitter,
 * as AWS advises. After MAX_ATTEMPTS the call fails (a 500): the Lambda's time is bounded.
 */
export type TableKey = { PK: string; SK: string };

/** BatchGetItem takes at most 100 keys, BatchWriteItem at most 25 writes. */
export const BATCH_GET_LIMIT = 100;
export const BATCH_WRITE_LIMIT = 25;
const MAX_ATTEMPTS = 8;
const BASE_DELAY_MS = 20;
const MAX_DELAY_MS = 1000;

const backoff = (attempt: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt)));

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Reads the items with these keys (no duplicates); absent items are simply not returned. Any order. */
export async function batchGetItems(keys: readonly TableKey[], options: { consistent: boolean }): Promise<Record<string, unknown>[]> {
  const found = await Promise.all(
    chunks(keys, BATCH_GET_LIMIT).map(async (chunk) => {
      const items: Record<string, unknown>[] = [];
      let pending: Record<string, unknown>[] = chunk;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt >= MAX_ATTEMPTS) throw new Error(`BatchGetItem left ${pending.length} keys unprocessed after ${MAX_ATTEMPTS} attempts`);
        if (attempt > 0) await backoff(attempt);
        const output = await documentClient.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: options.consistent } } }));
        items.push(...(output.Responses?.[tableName] ?? []));
        pending = output.UnprocessedKeys?.[tableName]?.Keys ?? [];
      }
      return items;
    }),
  );
  return found.flat();
}

/** Puts these items (at most one per key); each put is atomic, the batch as a whole is not. */
export async function batchPutItems(items: readonly Record<string, unknown>[]): Promise<void> {
  await Promise.all(
    chunks(items, BATCH_WRITE_LIMIT).map(async (chunk) => {
      let pending = chunk.map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt >= MAX_ATTEMPTS) throw new Error(`BatchWriteItem left ${pending.length} writes unprocessed after ${MAX_ATTEMPTS} attempts`);
        if (attempt > 0) await backoff(attempt);
        const output = await documentClient.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
        pending = (output.UnprocessedItems?.[tableName] ?? []) as typeof pending;
      }
    }),
  );
}
