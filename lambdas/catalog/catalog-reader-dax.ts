import { DaxDocument } from '@amazon-dax-sdk/lib-dax';
import type { BatchGetCommandInput, BatchGetCommandOutput, GetCommandInput, GetCommandOutput } from '@aws-sdk/lib-dynamodb';
import { daxSettings } from '../../lib/dax-settings';
import { recordConsumedCapacity } from '../shared/capacity-meter';
import { tableName } from '../shared/dynamo';
import { logger } from '../shared/logger';
import type { TableKey } from '../shared/table-access';
import { type CatalogReader, countCatalogRead, type Item } from './catalog-reader-interface';

/**
 * The catalog reader of the DAX variant (built only with `-c dax=on`, docs/DAX.md). DaxDocument
 * refuses `send(command)` and middleware, so it is called in the method shape it shares with
 * DynamoDBDocument (`get`, `batchGet`); its capacity is recorded from each answer instead.
 */
export interface DaxReads {
  get(input: GetCommandInput): Promise<GetCommandOutput>;
  batchGet(input: BatchGetCommandInput): Promise<BatchGetCommandOutput>;
}

/**
 * A client of the cluster at `endpoint`. It retries nothing itself and gives up long after the
 * reader's own timeout: the reader, not the client, decides when DynamoDB answers instead.
 */
export function connectDax(endpoint: string): DaxReads & { shutdown(): void } {
  const config = { endpoints: [endpoint], region: process.env.AWS_REGION, maxRetries: 0, requestTimeout: 1_000, connectTimeout: 1_000 };
  // `endpoints` and `shutdown()` are the client's own (src/Cluster.js, src/Dax.js) but missing from its typings.
  return new DaxDocument(config as ConstructorParameters<typeof DaxDocument>[0]) as DaxDocument & { shutdown(): void };
}

/** BatchGetItem's own limit, which DAX keeps. */
const DAX_BATCH_LIMIT = 100;

class DaxTimeout extends Error {
  constructor(ms: number) {
    super(`DAX did not answer within ${ms} ms`);
    this.name = 'DaxTimeout';
  }
}

function withinMs<T>(work: Promise<T>, ms: number): Promise<T> {
  // The DAX call goes on after a timeout and may still fail; nobody waits for it any more.
  work.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DaxTimeout(ms)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export interface DaxReaderOptions {
  timeoutMs?: number;
  retryAfterMs?: number;
  now?: () => number;
}

/**
 * Reads through DAX; a read it has not answered within `timeoutMs`, or that fails, is served by
 * `fallback` (DynamoDB), and for `retryAfterMs` after that the container reads DynamoDB
 * directly, so an unreachable cluster costs one timeout per container, not one per request.
 * A read DAX served from its item cache consumes no read units; that is how a hit is told from
 * a miss. A batch counts once: a hit when DAX answered it wholly from its cache.
 */
export function daxCatalogReader(dax: DaxReads, fallback: CatalogReader, options: DaxReaderOptions = {}): CatalogReader {
  const timeoutMs = options.timeoutMs ?? daxSettings.timeoutMs;
  const retryAfterMs = options.retryAfterMs ?? daxSettings.retryAfterMs;
  const now = options.now ?? Date.now;
  let directUntil = 0;

  async function throughDax<T>(read: () => Promise<{ value: T; units: number }>, direct: () => Promise<T>): Promise<T> {
    if (now() < directUntil) {
      countCatalogRead('dax', 'fallback');
      return direct();
    }
    let answer: { value: T; units: number };
    try {
      answer = await withinMs(read(), timeoutMs);
    } catch (error) {
      directUntil = now() + retryAfterMs;
      countCatalogRead('dax', 'fallback');
      logger.warn('DAX read failed; reading DynamoDB directly', { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error), retryAfterMs });
      return direct();
    }
    countCatalogRead('dax', answer.units === 0 ? 'hit' : 'miss');
    return answer.value;
  }

  const unitsOf = (output: { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] }): number => {
    recordConsumedCapacity(output.ConsumedCapacity, 'read');
    const consumed = output.ConsumedCapacity === undefined ? [] : Array.isArray(output.ConsumedCapacity) ? output.ConsumedCapacity : [output.ConsumedCapacity];
    return consumed.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
  };

  return {
    get: (key) =>
      throughDax(
        async () => {
          const output = await dax.get({ TableName: tableName, Key: key, ReturnConsumedCapacity: 'TOTAL' });
          return { value: output.Item as Item | undefined, units: unitsOf(output) };
        },
        () => fallback.get(key),
      ),
    async batchGet(keys) {
      if (keys.length > DAX_BATCH_LIMIT) {
        const parts = [];
        for (let start = 0; start < keys.length; start += DAX_BATCH_LIMIT) parts.push(this.batchGet(keys.slice(start, start + DAX_BATCH_LIMIT)));
        return (await Promise.all(parts)).flat();
      }
      const { found, unprocessed } = await throughDax(
        async () => {
          const output = await dax.batchGet({ RequestItems: { [tableName]: { Keys: [...keys] } }, ReturnConsumedCapacity: 'TOTAL' });
          const value = { found: (output.Responses?.[tableName] ?? []) as Item[], unprocessed: (output.UnprocessedKeys?.[tableName]?.Keys ?? []) as TableKey[] };
          return { value, units: unitsOf(output) };
        },
        async () => ({ found: await fallback.batchGet(keys), unprocessed: [] as TableKey[] }),
      );
      // Keys DAX left unprocessed (throttled) are read from DynamoDB, which retries them itself.
      return unprocessed.length === 0 ? found : [...found, ...(await fallback.batchGet(unprocessed))];
    },
  };
}
