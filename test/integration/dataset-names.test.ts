import { describe, expect, it } from 'vitest';
import { DATASET_COUNT_ENTITY, DATASET_ENTITY, DATASET_RECORD_ENTITY } from '../../lambdas/datasets/dataset-item';
import { call, newUserId, tokenFor } from '../support/api';
import { openSession, push } from '../support/sync';
import { itemsOfUser } from '../support/table';

const fieldsOf = (result: Record<string, unknown> | undefined) => ((result?.problem as { errors?: { field: string }[] } | undefined)?.errors ?? []).map((e) => e.field);

describe('dataset names and record keys in sync pushes', () => {
  // A URL drops dot segments, so a dataset or record named `.` or `..` could never be read,
  // changed or deleted through the routes, yet would count toward the dataset limit.
  it('refuse the dot segments . and .. as a dataset or a record key, naming the field, and create nothing', async () => {
    const userId = newUserId('dots');
    const token = await tokenFor(userId);
    const session = await openSession(token, 'phone');
    const results = await push(token, session.sessionId, [
      { id: 'd1', type: 'dataset-record', op: 'upsert', key: '../k', value: 1 },
      { id: 'd2', type: 'dataset-record', op: 'upsert', key: './k', value: 1 },
      { id: 'd3', type: 'dataset-record', op: 'upsert', key: 'notes/..', value: 1 },
      { id: 'd4', type: 'dataset-record', op: 'upsert', key: 'notes/.', value: 1 },
      { id: 'd5', type: 'dataset-record', op: 'upsert', localId: 'n1', dataset: '..', value: 1 },
      { id: 'd6', type: 'dataset-record', op: 'delete', key: '../k' },
      { id: 'd7', type: 'dataset-record', op: 'upsert', key: '.../k.', value: 1 },
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected', 'applied']);
    expect(results.slice(0, 6).map(fieldsOf)).toEqual([
      ['body.mutations.0.key'],
      ['body.mutations.1.key'],
      ['body.mutations.2.key'],
      ['body.mutations.3.key'],
      ['body.mutations.4.dataset'],
      ['body.mutations.5.key'],
    ]);

    const entities: unknown[] = [DATASET_RECORD_ENTITY, DATASET_ENTITY, DATASET_COUNT_ENTITY];
    const stored = (await itemsOfUser(userId)).filter((item) => entities.includes(item.entity));
    expect(stored.filter((item) => item.entity === DATASET_ENTITY).map((item) => item.dataset)).toEqual(['...']);
    const listed = await call('GET', '/v1/datasets', { token });
    expect((listed.json as { dataset: string }[]).map((d) => d.dataset)).toEqual(['...']);
  });
});
