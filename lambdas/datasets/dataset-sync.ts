import { randomUUID } from 'node:crypto';
import { invalid, recorded, unrecorded } from '../shared/sync-appliers';
import type { FeedType, MutationApplier, MutationContext, MutationResult, Origin } from '../shared/sync-contract';
import {
  DATASET_RECORD_ENTITY,
  DATASET_RECORD_SORT_PREFIX,
  type DatasetRecord,
  datasetRecordFeedKey,
  datasetRecordFromItem,
  datasetRecordItemSchema,
} from './dataset-item';
import { plainWords } from '../shared/field-messages';
import { refusal } from './dataset-rules';
import { datasetNameSchema, datasetValueSchema, recordKeySchema } from './dataset-schemas';
import { deleteRecord, putRecord } from './dataset-store';

const DATASET_RECORD = 'dataset-record';

/** `<dataset>/<key>` → its two parts, each checked like the dataset routes check them. */
function datasetRecordAddress(context: MutationContext, address: string): { dataset: string; key: string } {
  const [dataset, key, ...rest] = address.split('/');
  const parsedDataset = datasetNameSchema.safeParse(dataset);
  const parsedKey = recordKeySchema.safeParse(key);
  if (rest.length > 0 || !parsedDataset.success || !parsedKey.success) throw invalid(context, 'key', 'must be <dataset>/<key>, each 1-256 characters of A-Z a-z 0-9 _ . : -');
  return { dataset: parsedDataset.data, key: parsedKey.data };
}

/**
 * App records with versions. A `baseVersion` other than the server's is a conflict answered
 * with the server's record. A record created offline comes with a `localId` and a `dataset`;
 * the server assigns its key once, so a push sent again reuses it.
 */
export const datasetRecordApply: MutationApplier = async (context, mutation) => {
  const userId = context.principal.userId;
  let address: { dataset: string; key: string };
  let origin: Origin | undefined;
  if (mutation.key !== undefined) {
    if (mutation.localId !== undefined) throw invalid(context, 'localId', 'goes without a key: send one or the other');
    address = datasetRecordAddress(context, mutation.key);
  } else if (mutation.localId !== undefined) {
    if (mutation.op === 'delete') {
      const known = await context.localIds.find(mutation.localId);
      // Never pushed before: there is nothing on the server to delete.
      if (!known) return unrecorded({ id: mutation.id, status: 'applied', type: DATASET_RECORD, key: '', localId: mutation.localId });
      address = datasetRecordAddress(context, known.key);
    } else {
      const dataset = datasetNameSchema.safeParse(mutation.dataset);
      if (!dataset.success) throw invalid(context, 'dataset', 'names the dataset the new record goes to');
      const claimed = await context.localIds.claim(mutation.localId, DATASET_RECORD, datasetRecordFeedKey(dataset.data, randomUUID()));
      if (claimed === undefined) throw invalid(context, 'localId', 'was already used by this device for a record of another type');
      address = datasetRecordAddress(context, claimed);
    }
    origin = { deviceId: context.deviceId, localId: mutation.localId };
  } else {
    throw invalid(context, 'key', 'is required (or a localId, for a record created offline)');
  }
  const publicKey = datasetRecordFeedKey(address.dataset, address.key);
  const localId = origin ? { localId: origin.localId } : {};

  if (mutation.op === 'delete') {
    // Deleted now, or already gone: either way the record is gone.
    const gone: MutationResult = { id: mutation.id, status: 'applied', type: DATASET_RECORD, key: publicKey, ...localId };
    const removed = await deleteRecord(userId, address.dataset, address.key, mutation.baseVersion, context.now, context.answer(gone));
    if (removed.outcome === 'version-mismatch' && removed.current !== null) {
      return unrecorded({ id: mutation.id, status: 'conflict', type: DATASET_RECORD, key: publicKey, current: removed.current });
    }
    // A version given for a record that is gone wrote nothing, not even the answer.
    return removed.outcome === 'version-mismatch' ? unrecorded(gone) : recorded(gone);
  }

  const value = datasetValueSchema.safeParse(mutation.value, { error: plainWords });
  if (!value.success) throw invalid(context, 'value', value.error.issues[0]?.message ?? 'is not a valid record value');
  const applied = (record: DatasetRecord): MutationResult => ({ id: mutation.id, status: 'applied', type: DATASET_RECORD, key: publicKey, ...localId, value: record });
  const written = await putRecord(userId, address.dataset, address.key, value.data, mutation.baseVersion, context.now, origin, (record) => context.answer(applied(record)));
  if (written.outcome === 'written') return recorded(applied(written.record));
  if (written.outcome === 'limit-reached') throw refusal(written, address.dataset);
  return unrecorded({ id: mutation.id, status: 'conflict', type: DATASET_RECORD, key: publicKey, current: written.current });
};

/** Only records join the change feed; the dataset and count items are bookkeeping derived from them. */
export const datasetRecordFeed: FeedType = {
  type: 'dataset-record',
  entity: DATASET_RECORD_ENTITY,
  sortPrefix: DATASET_RECORD_SORT_PREFIX,
  keyOf: (item) => {
    const parsed = datasetRecordItemSchema.parse(item);
    return datasetRecordFeedKey(parsed.dataset, parsed.key);
  },
  viewOf: datasetRecordFromItem,
};
