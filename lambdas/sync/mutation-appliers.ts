import { randomUUID } from 'node:crypto';
import { refusal } from '../datasets/dataset-http';
import { datasetRecordFeedKey } from '../datasets/dataset-item';
import { datasetNameSchema, datasetValueSchema, recordKeySchema } from '../datasets/dataset-schemas';
import { deleteRecord, putRecord } from '../datasets/dataset-store';
import { followShow } from '../favourites/favourite-rules';
import { removeFavourite } from '../favourites/favourite-store';
import { uuidSchema } from '../shared/ids';
import { HttpProblem } from '../shared/problem';
import { progressWriteSchema } from '../progress/progress-item';
import { changeQueueEntry } from '../queue/queue-rules';
import { queueMutationValueSchema } from '../queue/queue-schemas';
import { recordProgress } from '../progress/progress-rules';
import { deleteProgress } from '../progress/progress-store';
import { addPlayableToWatchlist } from '../watchlist/watchlist-rules';
import { removeFromWatchlist } from '../watchlist/watchlist-store';
import type { Origin } from './feed-entry';
import { claimLocalId, findLocalId } from './local-id-store';
import type { Mutation, MutationApplier, MutationContext } from './mutations';

function invalid(context: MutationContext, name: string, message: string): HttpProblem {
  return new HttpProblem('validation-failed', `${context.field}.${name}: ${message}`, { errors: [{ field: `${context.field}.${name}`, message }] });
}

/** Watchlist, progress and favourites are keyed by ids the device already knows: no local ids. */
function uuidKeyOf(context: MutationContext, mutation: Mutation, what: string): string {
  if (mutation.localId !== undefined) throw invalid(context, 'localId', `is not used for this type; send the ${what} id as key`);
  const parsed = uuidSchema.safeParse(mutation.key);
  if (!parsed.success) throw invalid(context, 'key', `must be the ${what} id (a UUID)`);
  return parsed.data;
}

const assetKeyOf = (context: MutationContext, mutation: Mutation) => uuidKeyOf(context, mutation, 'asset');

/**
 * A set (watchlist, favourites): adding and removing are idempotent, and the later of two (in
 * server order) wins.
 */
function setApplier(
  type: string,
  what: string,
  add: (context: MutationContext, id: string) => Promise<unknown>,
  remove: (userId: string, id: string) => Promise<void>,
): MutationApplier {
  return async (context, mutation) => {
    const id = uuidKeyOf(context, mutation, what);
    if (mutation.op === 'delete') {
      await remove(context.principal.userId, id);
      return { id: mutation.id, status: 'applied', type, key: id };
    }
    if (mutation.value !== undefined) throw invalid(context, 'value', `is not used for ${type} upserts`);
    return { id: mutation.id, status: 'applied', type, key: id, value: await add(context, id) };
  };
}

const watchlist = setApplier('watchlist', 'asset', (context, id) => addPlayableToWatchlist(context.principal, id, context.now), removeFromWatchlist);
const favourite = setApplier('favourite', 'show', (context, id) => followShow(context.principal.userId, id, context.now), removeFavourite);

/** Last writer (in server order) wins; device clocks play no part. */
const progress: MutationApplier = async (context, mutation) => {
  const assetId = assetKeyOf(context, mutation);
  if (mutation.op === 'delete') {
    await deleteProgress(context.principal.userId, assetId);
    return { id: mutation.id, status: 'applied', type: 'progress', key: assetId };
  }
  const value = progressWriteSchema.safeParse(mutation.value);
  if (!value.success) throw invalid(context, 'value', 'must be {"progress": <whole seconds>}');
  const entry = await recordProgress(context.principal, assetId, value.data.progress, context.now, `${context.field}.value.progress`);
  return { id: mutation.id, status: 'applied', type: 'progress', key: assetId, value: entry };
};

/**
 * The queue: upsert adds or moves an entry and may set its state; delete marks it removed. Like
 * progress, the later change in server order wins; a removed or finished entry stays remembered.
 */
const queue: MutationApplier = async (context, mutation) => {
  const episodeId = uuidKeyOf(context, mutation, 'episode');
  const change = mutation.op === 'delete' ? { state: 'removed' as const, add: false } : { ...parseQueueValue(context, mutation.value), add: true };
  const entry = await changeQueueEntry(context.principal.userId, episodeId, change, context.now);
  return { id: mutation.id, status: 'applied', type: 'queue', key: episodeId, value: entry };
};

function parseQueueValue(context: MutationContext, value: unknown) {
  const parsed = queueMutationValueSchema.safeParse(value ?? {});
  if (!parsed.success) throw invalid(context, 'value', 'must be {"position"?: <number>, "state"?: "queued" | "playing" | "finished" | "removed"}');
  return parsed.data;
}

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
const datasetRecord: MutationApplier = async (context, mutation) => {
  const userId = context.principal.userId;
  const nowMs = Date.parse(context.now);
  let address: { dataset: string; key: string };
  let origin: Origin | undefined;
  if (mutation.key !== undefined) {
    if (mutation.localId !== undefined) throw invalid(context, 'localId', 'goes without a key: send one or the other');
    address = datasetRecordAddress(context, mutation.key);
  } else if (mutation.localId !== undefined) {
    if (mutation.op === 'delete') {
      const known = await findLocalId(userId, context.deviceId, mutation.localId);
      // Never pushed before: there is nothing on the server to delete.
      if (!known) return { id: mutation.id, status: 'applied', type: DATASET_RECORD, key: '', localId: mutation.localId };
      address = datasetRecordAddress(context, known.key);
    } else {
      const dataset = datasetNameSchema.safeParse(mutation.dataset);
      if (!dataset.success) throw invalid(context, 'dataset', 'names the dataset the new record goes to');
      const claimed = await claimLocalId(userId, context.deviceId, mutation.localId, DATASET_RECORD, datasetRecordFeedKey(dataset.data, randomUUID()), nowMs);
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
    const removed = await deleteRecord(userId, address.dataset, address.key, mutation.baseVersion, context.now);
    if (removed.outcome === 'version-mismatch' && removed.current !== null) {
      return { id: mutation.id, status: 'conflict', type: DATASET_RECORD, key: publicKey, current: removed.current };
    }
    // Deleted now, or already gone (a push sent again): either way the record is gone.
    return { id: mutation.id, status: 'applied', type: DATASET_RECORD, key: publicKey, ...localId };
  }

  const value = datasetValueSchema.safeParse(mutation.value);
  if (!value.success) throw invalid(context, 'value', value.error.issues[0]?.message ?? 'is not a valid record value');
  const written = await putRecord(userId, address.dataset, address.key, value.data, mutation.baseVersion, context.now, origin);
  if (written.outcome === 'written') return { id: mutation.id, status: 'applied', type: DATASET_RECORD, key: publicKey, ...localId, value: written.record };
  if (written.outcome === 'limit-reached') throw refusal(written, address.dataset);
  return { id: mutation.id, status: 'conflict', type: DATASET_RECORD, key: publicKey, current: written.current };
};

/** Every synced type a device may push, by its feed type name. */
export const mutationAppliers: Record<string, MutationApplier> = { watchlist, progress, favourite, queue, [DATASET_RECORD]: datasetRecord };
