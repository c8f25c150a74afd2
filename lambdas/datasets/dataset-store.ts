import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { type Alongside, type Refusal, type WriteItem, writeTogether } from '../shared/atomic-writes';
import { RETRY, retryOptimistic } from '../shared/table-access';
import { documentClient, tableName } from '../shared/dynamo';
import type { Origin } from '../shared/sync-contract';
import { type Page, queryUserItems } from '../shared/user-items';
import {
  DATASET_COUNT_ENTITY,
  DATASET_META_SORT_PREFIX,
  type DatasetRecord,
  type DatasetSummary,
  datasetCountKey,
  datasetMetaKey,
  datasetRecordFromItem,
  datasetRecordKey,
  datasetSummaryFromItem,
  newDatasetItem,
  newDatasetRecordItem,
  recordSortPrefix,
} from './dataset-item';
import { MAX_DATASETS_PER_USER, MAX_RECORDS_PER_DATASET, MAX_RECORDS_PER_PAGE } from './dataset-limits';

/**
 * Records, and the counters that keep the limits. A write that creates or deletes a record
 * changes the dataset's count in the same transaction, with a condition on that count, so no
 * interleaving of devices can pass a limit or lose a count. A write to an existing record is
 * one conditional UpdateItem and leaves the dataset item alone: a transaction would double
 * its cost and make every write in a dataset contend for one item. The price is that a
 * dataset's `updatedAt` moves only when records are created or deleted; a device that wants
 * every change follows the change feed, where each record write appears.
 */

export interface VersionMismatch {
  outcome: 'version-mismatch';
  /** The record as stored now, or null when there is none. */
  current: DatasetRecord | null;
}

export interface LimitReached {
  outcome: 'limit-reached';
  limit: 'records-per-dataset' | 'datasets-per-user';
}

export type RecordWrite = { outcome: 'written'; record: DatasetRecord } | VersionMismatch | LimitReached;
export type RecordRemoval = { outcome: 'deleted' } | { outcome: 'absent' } | VersionMismatch;

/**
 * A retry only happens when another request changed the same record or dataset between two
 * of ours (or DynamoDB reported a transaction conflict), so each one means someone else made
 * progress; running out of attempts takes sustained contention on one dataset.
 */
const MAX_ATTEMPTS = 8;

export async function getRecord(userId: string, dataset: string, key: string): Promise<DatasetRecord | undefined> {
  const output = await documentClient.send(new GetCommand({ TableName: tableName, Key: datasetRecordKey(userId, dataset, key), ConsistentRead: true }));
  return output.Item ? datasetRecordFromItem(output.Item) : undefined;
}

/** Ordered by key. A dataset without records (never created, or emptied) is an empty list. */
export function listRecords(userId: string, dataset: string, limit: number, afterSortKey: string | undefined): Promise<Page<DatasetRecord>> {
  return queryUserItems(userId, recordSortPrefix(dataset), Math.min(limit, MAX_RECORDS_PER_PAGE), afterSortKey, datasetRecordFromItem);
}

/** Ordered by name; one small item per dataset, records are not read. */
export function listDatasets(userId: string, limit: number, afterSortKey: string | undefined): Promise<Page<DatasetSummary>> {
  return queryUserItems(userId, DATASET_META_SORT_PREFIX, limit, afterSortKey, datasetSummaryFromItem);
}

/**
 * Creates or replaces a record. With `expectedVersion` it writes only over that version of
 * an existing record; otherwise the last write wins. A refusal writes nothing. The update is
 * tried first because rewriting a record is the common case (one write); a creation also
 * pays for that failed conditional write.
 */
export async function putRecord(
  userId: string,
  dataset: string,
  key: string,
  value: unknown,
  expectedVersion: number | undefined,
  now: string,
  /** Set when a device created the record offline under its own local id. */
  origin?: Origin,
  alongside?: Alongside<DatasetRecord>,
): Promise<RecordWrite> {
  return retryOptimistic(`writing dataset record ${dataset}/${key}`, MAX_ATTEMPTS, async () => {
    const updated = alongside
      ? await updateReadRecord(userId, dataset, key, value, expectedVersion, now, alongside)
      : await updateExistingRecord(userId, dataset, key, value, expectedVersion, now);
    if (updated === RETRY || updated !== 'absent') return updated;
    if (expectedVersion !== undefined) return { outcome: 'version-mismatch', current: null } as const;
    return createRecord(userId, dataset, key, value, now, origin, alongside);
  });
}

/** Deleting an absent record without `expectedVersion` is a success that writes nothing (but what goes alongside). */
export async function deleteRecord(
  userId: string,
  dataset: string,
  key: string,
  expectedVersion: number | undefined,
  now: string,
  alongside: readonly WriteItem[] = [],
): Promise<RecordRemoval> {
  const deleteOp = { Delete: { TableName: tableName, Key: datasetRecordKey(userId, dataset, key), ...versionCondition(expectedVersion), ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } };
  const refused = async (reason: Refusal | undefined): Promise<RecordRemoval> => {
    const refusal = recordRefusal(reason, expectedVersion);
    if (refusal.outcome === 'absent') await writeTogether([], alongside);
    return refusal;
  };
  const shrinkDataset: WriteItem = {
    Update: {
      TableName: tableName,
      Key: datasetMetaKey(userId, dataset),
      UpdateExpression: 'SET recordCount = recordCount - :one, updatedAt = :now',
      ConditionExpression: 'recordCount > :one',
      ExpressionAttributeValues: { ':one': 1, ':now': now },
    },
  };
  // The dataset's last record: the dataset goes with it and frees its place among the user's
  // datasets (there is no other way to delete a dataset).
  const deleteDataset: WriteItem[] = [
    { Delete: { TableName: tableName, Key: datasetMetaKey(userId, dataset), ConditionExpression: 'recordCount = :one', ExpressionAttributeValues: { ':one': 1 } } },
    {
      Update: {
        TableName: tableName,
        Key: datasetCountKey(userId),
        UpdateExpression: 'SET datasetCount = datasetCount - :one',
        ConditionExpression: 'datasetCount >= :one',
        ExpressionAttributeValues: { ':one': 1 },
      },
    },
  ];
  return retryOptimistic(`deleting dataset record ${dataset}/${key}`, MAX_ATTEMPTS, async () => {
    const notLast = await writeTogether([deleteOp, shrinkDataset], alongside);
    if (notLast === undefined) return { outcome: 'deleted' } as const;
    if (isConditionFailure(notLast[0])) return refused(notLast[0]);
    const last = await writeTogether([deleteOp, ...deleteDataset], alongside);
    if (last === undefined) return { outcome: 'deleted' } as const;
    // The dataset gained a record meanwhile: it is not the last one after all.
    return isConditionFailure(last[0]) ? refused(last[0]) : RETRY;
  });
}

/** One conditional write; 'absent' when there is no record to update. */
async function updateExistingRecord(
  userId: string,
  dataset: string,
  key: string,
  value: unknown,
  expectedVersion: number | undefined,
  now: string,
): Promise<RecordWrite | 'absent'> {
  const condition = versionCondition(expectedVersion);
  try {
    const output = await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: datasetRecordKey(userId, dataset, key),
        UpdateExpression: 'SET #value = :value, #version = #version + :one, updatedAt = :now',
        ConditionExpression: condition.ConditionExpression,
        ExpressionAttributeNames: { '#version': 'version', '#value': 'value' },
        ExpressionAttributeValues: { ...(condition.ExpressionAttributeValues ?? {}), ':value': value, ':one': 1, ':now': now },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { outcome: 'written', record: datasetRecordFromItem(output.Attributes ?? {}) };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    return error.Item === undefined ? 'absent' : { outcome: 'version-mismatch', current: datasetRecordFromItem(unmarshall(error.Item)) };
  }
}

/**
 * With something to write alongside, the record is read first: what goes alongside carries the
 * version this write makes, and the write is conditional on the version read. RETRY when
 * another write came in between.
 */
async function updateReadRecord(
  userId: string,
  dataset: string,
  key: string,
  value: unknown,
  expectedVersion: number | undefined,
  now: string,
  alongside: Alongside<DatasetRecord>,
): Promise<RecordWrite | 'absent' | typeof RETRY> {
  const current = await getRecord(userId, dataset, key);
  if (current === undefined) return 'absent';
  if (expectedVersion !== undefined && current.version !== expectedVersion) return { outcome: 'version-mismatch', current };
  const record: DatasetRecord = { ...current, value, version: current.version + 1, updatedAt: now };
  const update: WriteItem = {
    Update: {
      TableName: tableName,
      Key: datasetRecordKey(userId, dataset, key),
      UpdateExpression: 'SET #value = :value, #version = :next, updatedAt = :now',
      ConditionExpression: '#version = :seen',
      ExpressionAttributeNames: { '#version': 'version', '#value': 'value' },
      ExpressionAttributeValues: { ':value': value, ':next': record.version, ':seen': current.version, ':now': now },
    },
  };
  return (await writeTogether([update], alongside(record))) === undefined ? { outcome: 'written', record } : RETRY;
}

/** Version 1 of a record, counted in its dataset; the dataset is created with its first record. */
async function createRecord(
  userId: string,
  dataset: string,
  key: string,
  value: unknown,
  now: string,
  origin?: Origin,
  alongside?: Alongside<DatasetRecord>,
): Promise<RecordWrite | typeof RETRY> {
  const item = newDatasetRecordItem(userId, dataset, key, value, now, origin);
  const putOp = { Put: { TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(PK)' } };
  const record = datasetRecordFromItem(item);
  const written: RecordWrite = { outcome: 'written', record };
  const also = alongside?.(record);

  const growDataset: WriteItem = {
    Update: {
      TableName: tableName,
      Key: datasetMetaKey(userId, dataset),
      UpdateExpression: 'SET recordCount = recordCount + :one, updatedAt = :now',
      ConditionExpression: 'attribute_exists(PK) AND recordCount < :max',
      ExpressionAttributeValues: { ':one': 1, ':now': now, ':max': MAX_RECORDS_PER_DATASET },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
  const intoExisting = await writeTogether([putOp, growDataset], also);
  if (intoExisting === undefined) return written;
  // The record appeared meanwhile: the next attempt updates it instead.
  if (isConditionFailure(intoExisting[0]) || !isConditionFailure(intoExisting[1])) return RETRY;
  if (intoExisting[1]?.stored !== undefined) return { outcome: 'limit-reached', limit: 'records-per-dataset' };

  const newDataset: WriteItem[] = [
    { Put: { TableName: tableName, Item: newDatasetItem(userId, dataset, 1, now), ConditionExpression: 'attribute_not_exists(PK)' } },
    {
      Update: {
        TableName: tableName,
        Key: datasetCountKey(userId),
        UpdateExpression: 'SET entity = :entity, datasetCount = if_not_exists(datasetCount, :zero) + :one',
        ConditionExpression: 'attribute_not_exists(datasetCount) OR datasetCount < :max',
        ExpressionAttributeValues: { ':entity': DATASET_COUNT_ENTITY, ':zero': 0, ':one': 1, ':max': MAX_DATASETS_PER_USER },
      },
    },
  ];
  const intoNew = await writeTogether([putOp, ...newDataset], also);
  if (intoNew === undefined) return written;
  // Only the count refused: every other failure means the record or the dataset appeared meanwhile.
  if (isConditionFailure(intoNew[2]) && !isConditionFailure(intoNew[0]) && !isConditionFailure(intoNew[1])) return { outcome: 'limit-reached', limit: 'datasets-per-user' };
  return RETRY;
}

function versionCondition(expectedVersion: number | undefined) {
  return expectedVersion === undefined
    ? { ConditionExpression: 'attribute_exists(PK)' }
    : { ConditionExpression: '#version = :expected', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':expected': expectedVersion } };
}

function recordRefusal(reason: Refusal | undefined, expectedVersion: number | undefined): RecordRemoval {
  if (reason?.stored !== undefined) return { outcome: 'version-mismatch', current: datasetRecordFromItem(reason.stored) };
  return expectedVersion === undefined ? { outcome: 'absent' } : { outcome: 'version-mismatch', current: null };
}

const isConditionFailure = (reason: Refusal | undefined): boolean => reason?.conditionFailed === true;

