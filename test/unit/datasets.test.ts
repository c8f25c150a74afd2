import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { expectedVersionOf } from '../../lambdas/datasets/dataset-http';
import {
  DATASET_ENTITY,
  datasetCountKey,
  datasetMetaKey,
  datasetRecordKey,
  isDatasetMetaSortKey,
  isRecordSortKeyOf,
  newDatasetItem,
  newDatasetRecordItem,
} from '../../lambdas/datasets/dataset-item';
import { MAX_VALUE_BYTES, MAX_VALUE_DEPTH, MAX_VALUE_NUMBER, MIN_VALUE_MAGNITUDE } from '../../lambdas/datasets/dataset-limits';
import { valueProblem } from '../../lambdas/datasets/dataset-schemas';
import { datasetRecordFeed as datasetRecordSyncedType } from '../../lambdas/datasets/dataset-sync';
import { HttpProblem } from '../../lambdas/shared/problem';
import { syncedTypeNamed, syncedTypeOfEntity } from '../../lambdas/sync/synced-types';

// The registry's modules carry the appliers too, whose stores name the table when loaded.
vi.hoisted(() => {
  process.env.TABLE_NAME ??= 'unit-test-table';
});

const NOW = '2026-01-01T00:00:00.000Z';

describe('dataset keys', () => {
  it('keep records, datasets and the dataset count apart in the user partition', () => {
    const record = datasetRecordKey('u', 'a', 'k');
    expect(record).toEqual({ PK: 'USER#u', SK: 'DATASET#a#k' });
    expect(datasetMetaKey('u', 'a')).toEqual({ PK: 'USER#u', SK: 'DATASETMETA#a' });
    const sortKeys = [record.SK, datasetMetaKey('u', 'a').SK, datasetCountKey('u').SK];
    expect(new Set(sortKeys).size).toBe(3);
    // Only records begin with the prefix the change feed's snapshot reads.
    expect(sortKeys.filter((sk) => sk.startsWith(datasetRecordSyncedType.sortPrefix))).toEqual([record.SK]);
  });

  it("accept a records cursor only for its own dataset, not for one whose name it begins", () => {
    const inA = isRecordSortKeyOf('a');
    expect(inA(datasetRecordKey('u', 'a', 'k').SK)).toBe(true);
    expect(inA(datasetRecordKey('u', 'a.b', 'k').SK)).toBe(false);
    expect(inA(datasetRecordKey('u', 'b', 'k').SK)).toBe(false);
    expect(inA('DATASET#a#')).toBe(false);
    expect(inA(datasetMetaKey('u', 'a').SK)).toBe(false);
    expect(isDatasetMetaSortKey(datasetMetaKey('u', 'a').SK)).toBe(true);
    expect(isDatasetMetaSortKey(datasetRecordKey('u', 'a', 'k').SK)).toBe(false);
    expect(isDatasetMetaSortKey('DATASETMETA#')).toBe(false);
  });
});

describe('the dataset-record synced type', () => {
  it('joins the change feed keyed <dataset>/<key> with the record as GET returns it', () => {
    const item = newDatasetRecordItem('u', 'settings', 'theme', { mode: 'dark' }, NOW);
    expect(syncedTypeOfEntity(item.entity)).toBe(datasetRecordSyncedType);
    expect(syncedTypeNamed('dataset-record')).toBe(datasetRecordSyncedType);
    expect(datasetRecordSyncedType.keyOf(item)).toBe('settings/theme');
    expect(datasetRecordSyncedType.viewOf(item)).toEqual({ dataset: 'settings', key: 'theme', value: { mode: 'dark' }, version: 1, updatedAt: NOW });
  });

  it('leaves the dataset and count items out of the feed', () => {
    expect(syncedTypeOfEntity(newDatasetItem('u', 'settings', 1, NOW).entity)).toBeUndefined();
    expect(syncedTypeOfEntity(DATASET_ENTITY)).toBeUndefined();
    expect(syncedTypeOfEntity('dataset-count')).toBeUndefined();
  });
});

describe('valueProblem', () => {
  const nested = (depth: number): unknown => {
    let value: unknown = 0;
    for (let i = 0; i < depth; i++) value = [value];
    return value;
  };

  it.each([
    ['null', null],
    ['an empty string', ''],
    ['the largest and smallest numbers', [MAX_VALUE_NUMBER, -MAX_VALUE_NUMBER, MIN_VALUE_MAGNITUDE, -MIN_VALUE_MAGNITUDE, 0]],
    ['exactly the byte limit in ASCII', 'x'.repeat(MAX_VALUE_BYTES - 2)],
    ['exactly the byte limit in two-byte characters', 'é'.repeat((MAX_VALUE_BYTES - 2) / 2)],
    ['exactly the depth limit', nested(MAX_VALUE_DEPTH)],
    ['a surrogate pair', { '😀': '😀' }],
  ])('accepts %s', (_, value) => {
    expect(valueProblem(value)).toBeUndefined();
  });

  it.each([
    ['a missing value', undefined, /required/],
    ['one byte over the limit', 'x'.repeat(MAX_VALUE_BYTES - 1), /at most 32768 bytes/],
    ['one two-byte character over the limit', `${'é'.repeat((MAX_VALUE_BYTES - 2) / 2)}é`, /at most 32768 bytes/],
    ['one level too deep', nested(MAX_VALUE_DEPTH + 1), /16 deep/],
    ['100 000 levels deep', nested(100_000), /16 deep/],
    ['Infinity (what JSON.parse makes of 1e400)', { n: Number.POSITIVE_INFINITY }, /number/],
    ['an integer past 2^53 - 1', [MAX_VALUE_NUMBER + 1], /number/],
    ['a number too close to 0', -MIN_VALUE_MAGNITUDE / 10, /closer to 0/],
    ['an empty member name', { a: { '': 1 } }, /member/],
    ['a lone high surrogate', 'a\uD800b', /surrogate/],
    ['a lone low surrogate in a member name', { '\uDC00': 1 }, /member/],
  ])('refuses %s', (_, value, message) => {
    expect(valueProblem(value)).toMatch(message);
  });
});

describe('expectedVersionOf (If-Match)', () => {
  const event = (ifMatch?: string) => ({ headers: ifMatch === undefined ? {} : { 'if-match': ifMatch } }) as unknown as APIGatewayProxyEventV2;

  it('reads a bare version, the ETag form, and no header', () => {
    expect(expectedVersionOf(event('3'))).toBe(3);
    expect(expectedVersionOf(event('"42"'))).toBe(42);
    expect(expectedVersionOf(event(' "7" '))).toBe(7);
    expect(expectedVersionOf(event('999999999999999'))).toBe(999_999_999_999_999);
    expect(expectedVersionOf(event())).toBeUndefined();
  });

  it.each(['*', 'W/"3"', '"3", "4"', '0', '03', '"3', '3.0', '-3', '', '1000000000000000'])('refuses %j naming header.if-match', (header) => {
    let thrown: unknown;
    try {
      expectedVersionOf(event(header));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(HttpProblem);
    expect((thrown as HttpProblem).status).toBe(400);
    expect((thrown as HttpProblem).errors?.map((e) => e.field)).toEqual(['header.if-match']);
  });
});
