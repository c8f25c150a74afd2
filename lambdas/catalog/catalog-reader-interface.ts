import { countCatalogRead as countCatalogReadMetric } from '../shared/metrics';
import type { TableKey } from '../shared/table-access';

export type Item = Record<string, unknown>;

/**
 * What every path for eventually consistent catalog reads by key offers: the per-container
 * cache over DynamoDB, DAX with its fallback, DynamoDB alone.
 */
export interface CatalogReader {
  /** The item with this key; undefined when there is none. */
  get(key: TableKey): Promise<Item | undefined>;
  /** The items that exist among these keys (no duplicates), in no particular order. */
  batchGet(keys: readonly TableKey[]): Promise<Item[]>;
}

export type CatalogReadSource = 'cache' | 'dax';
/** `fallback`: DAX failed or was out of time, or is being skipped after a failure, and DynamoDB answered. */
export type CatalogReadOutcome = 'hit' | 'miss' | 'fallback';

/** Reads served since the container started, by source and outcome. */
export const catalogReadCounts: Record<CatalogReadSource, Record<CatalogReadOutcome, number>> = {
  cache: { hit: 0, miss: 0, fallback: 0 },
  dax: { hit: 0, miss: 0, fallback: 0 },
};

/**
 * Counts one read (or `count` of them) in the container's totals and in the invocation's
 * metrics (CatalogCacheHits, CatalogCacheMisses, CatalogCacheFallbacks; lambdas/shared/metrics.ts).
 */
export function countCatalogRead(source: CatalogReadSource, outcome: CatalogReadOutcome, count = 1): void {
  catalogReadCounts[source][outcome] += count;
  for (let i = 0; i < count; i++) countCatalogReadMetric(outcome);
}
