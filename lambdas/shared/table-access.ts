import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, QueryCommand, type QueryCommandInput, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from './dynamo';
import type { Condition } from './table-index';

/**
 * The small layer every entity module writes and reads the table through: one backoff, one
 * optimistic-retry loop, one "condition failed → false", one update-expression builder, batches
 * with their partial answers handled, query pages, and the secondary index's names. Entity
 * modules own their keys and items; this module knows only DynamoDB.
 */

type Item = Record<string, unknown>;
export type TableKey = { PK: string; SK: string };

import { TTL_ATTRIBUTE } from './table-index';

export { type Condition, INDEX, TTL_ATTRIBUTE } from './table-index';

export const ttlSeconds = (epochMs: number): number => Math.ceil(epochMs / 1000);
/** The TTL attribute of an item that may go at `epochMs`. */
export const expiresAt = (epochMs: number): Record<string, number> => ({ [TTL_ATTRIBUTE]: ttlSeconds(epochMs) });

const BASE_DELAY_MS = 10;
const MAX_DELAY_MS = 1000;

/**
 * Exponential backoff with full jitter (as AWS advises), none before the first attempt, so
 * colliding writers and throttled batches spread out.
 */
export async function backoff(attempt: number): Promise<void> {
  if (attempt <= 0) return;
  await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt)));
}

/** What an optimistic step returns to be run again (someone else wrote in between). */
export const RETRY: unique symbol = Symbol('retry');

/**
 * Runs an optimistic step (read, decide, write conditionally) until it returns something other
 * than RETRY, backing off between attempts. A retry only happens when another writer made
 * progress, so running out of attempts takes sustained contention on one item: then the
 * `exhausted` answer, or an error.
 */
export async function retryOptimistic<T>(what: string, attempts: number, step: (attempt: number) => Promise<T | typeof RETRY>, exhausted?: () => T): Promise<T> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    await backoff(attempt);
    const outcome = await step(attempt);
    if (outcome !== RETRY) return outcome;
  }
  if (exhausted) return exhausted();
  throw new Error(`${what} kept colliding with other writes (${attempts} attempts)`);
}

/** What a conditional write answered, or undefined when its condition failed. */
export async function whenConditionHolds<T>(write: Promise<T>): Promise<T | undefined> {
  try {
    return await write;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}

/** True when a conditional write went through, false when its condition failed. */
export const conditional = async (write: Promise<unknown>): Promise<boolean> => (await whenConditionHolds(write)) !== undefined;

/**
 * `SET` the given attributes (undefined ones are skipped), `REMOVE` the listed ones, plus any
 * clauses written out (`createdAt = if_not_exists(createdAt, :now)`), with placeholder names so
 * no attribute name collides with a reserved word.
 */
export function updateExpression(update: { set?: Record<string, unknown>; remove?: readonly string[]; clauses?: readonly string[] }): {
  UpdateExpression: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
} {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const set = [...(update.clauses ?? [])];
  Object.entries(update.set ?? {}).forEach(([name, value], i) => {
    if (value === undefined) return;
    names[`#s${i}`] = name;
    values[`:s${i}`] = value;
    set.push(`#s${i} = :s${i}`);
  });
  const remove = (update.remove ?? []).map((name, i) => {
    names[`#r${i}`] = name;
    return `#r${i}`;
  });
  const expression = [set.length > 0 ? `SET ${set.join(', ')}` : '', remove.length > 0 ? `REMOVE ${remove.join(', ')}` : ''].filter(Boolean).join(' ');
  return {
    UpdateExpression: expression,
    ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
    ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
  };
}

/** An update of the given attributes on `condition`; false when the condition failed. */
export function conditionalUpdate(key: TableKey, update: { set?: Record<string, unknown>; remove?: readonly string[] }, condition: Condition): Promise<boolean> {
  const expression = updateExpression(update);
  const names = { ...expression.ExpressionAttributeNames, ...condition.names };
  const values = { ...expression.ExpressionAttributeValues, ...condition.values };
  return conditional(
    documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: expression.UpdateExpression,
        ConditionExpression: condition.expression,
        // DynamoDB refuses empty placeholder maps.
        ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
        ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
      }),
    ),
  );
}

/** BatchGetItem takes at most 100 keys, BatchWriteItem at most 25 writes. */
const BATCH_GET_LIMIT = 100;
const BATCH_WRITE_LIMIT = 25;
/** Rounds of unprocessed keys or writes before a batch fails (a 500): the Lambda's time is bounded. */
const MAX_BATCH_ATTEMPTS = 8;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Reads the items with these keys (no duplicates); absent items are simply not returned. Any
 * order. Keys DynamoDB leaves unprocessed (a throttled partition, an answer past 16 MB) are
 * asked for again with backoff.
 */
export async function batchGetItems(keys: readonly TableKey[], options: { consistent: boolean }): Promise<Item[]> {
  const found = await Promise.all(
    chunks(keys, BATCH_GET_LIMIT).map(async (chunk) => {
      const items: Item[] = [];
      let pending: Item[] = chunk;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt >= MAX_BATCH_ATTEMPTS) throw new Error(`BatchGetItem left ${pending.length} keys unprocessed after ${MAX_BATCH_ATTEMPTS} attempts`);
        await backoff(attempt);
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
export const batchPutItems = (items: readonly Item[]): Promise<void> => batchWrite(items.map((entry) => ({ PutRequest: { Item: entry } })));

/** Deletes the items with these keys (no duplicates); each delete is atomic, the batch as a whole is not. */
export const batchDeleteItems = (keys: readonly TableKey[]): Promise<void> => batchWrite(keys.map((key) => ({ DeleteRequest: { Key: key } })));

type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: TableKey } };

async function batchWrite(requests: readonly WriteRequest[]): Promise<void> {
  await Promise.all(
    chunks(requests, BATCH_WRITE_LIMIT).map(async (chunk) => {
      let pending = chunk;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt >= MAX_BATCH_ATTEMPTS) throw new Error(`BatchWriteItem left ${pending.length} writes unprocessed after ${MAX_BATCH_ATTEMPTS} attempts`);
        await backoff(attempt);
        const output = await documentClient.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
        pending = (output.UnprocessedItems?.[tableName] ?? []) as WriteRequest[];
      }
    }),
  );
}

/**
 * One page of a query. It asks for one item more than the page (plus `slack`, for items
 * `keep` may drop) so that "more remain" is known exactly, not guessed from DynamoDB's
 * LastEvaluatedKey (which is also set when the last page is exactly full).
 */
export async function queryPage(
  input: Omit<QueryCommandInput, 'Limit' | 'ExclusiveStartKey'>,
  limit: number,
  startKey: Item | undefined,
  options: { keep?: (item: Item) => boolean; slack?: number } = {},
): Promise<{ items: Item[]; more: boolean }> {
  const collected: Item[] = [];
  let next = startKey;
  do {
    const output = await documentClient.send(new QueryCommand({ ...input, ExclusiveStartKey: next, Limit: limit + 1 + (options.slack ?? 0) - collected.length }));
    const items = output.Items ?? [];
    collected.push(...(options.keep ? items.filter(options.keep) : items));
    next = output.LastEvaluatedKey;
  } while (next !== undefined && collected.length <= limit);
  return { items: collected.slice(0, limit), more: collected.length > limit };
}

/** Every item a query finds, all of its pages (1 MB each): for collections that are used whole. */
export async function queryAll(input: Omit<QueryCommandInput, 'ExclusiveStartKey'>): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const output = await documentClient.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    items.push(...(output.Items ?? []));
    startKey = output.LastEvaluatedKey;
  } while (startKey !== undefined);
  return items;
}
