import * as z from 'zod';
import { userPartitionKey } from '../shared/keys';
import type { Origin } from '../shared/sync-contract';

/**
 * Datasets: named sets of key → JSON records, per user. Pure item shapes and keys, shared by
 * the store, the change feed and tests. Three kinds of item live in the user's partition:
 *
 * - a record, `DATASET#<dataset>#<key>`: the only kind that joins the change feed;
 * - a dataset, `DATASETMETA#<dataset>`: its record count, so limits hold without counting
 *   records and `GET /v1/datasets` reads one small item per dataset;
 * - `DATASETCOUNT`: how many datasets the user has, for the datasets-per-user limit.
 *
 * Names and keys never contain `#` (see dataset-limits.ts), so the records of dataset `a`
 * (`DATASET#a#`) never share a prefix with those of `a.b`, and `DATASET#` never begins
 * `DATASETMETA#` or `DATASETCOUNT`.
 */
export const DATASET_RECORD_ENTITY = 'dataset-record';
export const DATASET_ENTITY = 'dataset';
export const DATASET_COUNT_ENTITY = 'dataset-count';

export const DATASET_RECORD_SORT_PREFIX = 'DATASET#';
export const DATASET_META_SORT_PREFIX = 'DATASETMETA#';
const DATASET_COUNT_SORT_KEY = 'DATASETCOUNT';

/** `value` is stored as DynamoDB maps and lists; dataset-schemas.ts admits only values it can hold exactly. */
export const datasetRecordItemSchema = z.object({
  entity: z.literal(DATASET_RECORD_ENTITY),
  dataset: z.string(),
  key: z.string(),
  value: z.unknown(),
  version: z.number().int().min(1),
  updatedAt: z.string(),
});

export const datasetItemSchema = z.object({
  entity: z.literal(DATASET_ENTITY),
  dataset: z.string(),
  recordCount: z.number().int().min(0),
  updatedAt: z.string(),
});

export interface DatasetRecord {
  dataset: string;
  key: string;
  value: unknown;
  /** Server-assigned: 1 when created, one more on every write. */
  version: number;
  updatedAt: string;
}

export interface DatasetSummary {
  dataset: string;
  recordCount: number;
  /** When a record was last created in or deleted from the dataset (see dataset-store.ts). */
  updatedAt: string;
}

export const recordSortPrefix = (dataset: string): string => `${DATASET_RECORD_SORT_PREFIX}${dataset}#`;

export const datasetRecordKey = (userId: string, dataset: string, key: string) => ({ PK: userPartitionKey(userId), SK: `${recordSortPrefix(dataset)}${key}` });
export const datasetMetaKey = (userId: string, dataset: string) => ({ PK: userPartitionKey(userId), SK: `${DATASET_META_SORT_PREFIX}${dataset}` });
export const datasetCountKey = (userId: string) => ({ PK: userPartitionKey(userId), SK: DATASET_COUNT_SORT_KEY });

/** A records cursor is only good for the dataset it was issued for. */
export const isRecordSortKeyOf =
  (dataset: string) =>
  (sortKey: string): boolean =>
    sortKey.startsWith(recordSortPrefix(dataset)) && sortKey.length > recordSortPrefix(dataset).length;

export const isDatasetMetaSortKey = (sortKey: string): boolean => sortKey.startsWith(DATASET_META_SORT_PREFIX) && sortKey.length > DATASET_META_SORT_PREFIX.length;

/** A record as first written: version 1. */
export function newDatasetRecordItem(userId: string, dataset: string, key: string, value: unknown, now: string, origin?: Origin) {
  return { ...datasetRecordKey(userId, dataset, key), entity: DATASET_RECORD_ENTITY, dataset, key, value, version: 1, updatedAt: now, ...(origin ? { origin } : {}) };
}

export function newDatasetItem(userId: string, dataset: string, recordCount: number, now: string) {
  return { ...datasetMetaKey(userId, dataset), entity: DATASET_ENTITY, dataset, recordCount, updatedAt: now };
}

export function datasetRecordFromItem(item: Record<string, unknown>): DatasetRecord {
  const parsed = datasetRecordItemSchema.parse(item);
  return { dataset: parsed.dataset, key: parsed.key, value: parsed.value, version: parsed.version, updatedAt: parsed.updatedAt };
}

export function datasetSummaryFromItem(item: Record<string, unknown>): DatasetSummary {
  const parsed = datasetItemSchema.parse(item);
  return { dataset: parsed.dataset, recordCount: parsed.recordCount, updatedAt: parsed.updatedAt };
}

/** `/` is not allowed in names or keys, so `<dataset>/<key>` names exactly one record. */
export const datasetRecordFeedKey = (dataset: string, key: string): string => `${dataset}/${key}`;
