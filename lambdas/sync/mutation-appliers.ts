import { randomUUID } from 'node:crypto';
import { refusal } from '../datasets/dataset-http';
import { datasetNameSchema, datasetValueSchema, recordKeySchema } from '../datasets/dataset-schemas';
import { deleteRecord, putRecord } from '../datasets/dataset-store';
import { followShow } from '../favourites/favourite-rules';
import { removeFavourite } from '../favourites/favourite-store';
import { type DatasetRecord, datasetRecordFeedKey } from '../datasets/dataset-item';
import type { Favourite } from '../favourites/favourite-item';
import type { Alongside, WriteItem } from '../shared/atomic-writes';
import { uuidSchema } from '../shared/ids';
import { HttpProblem } from '../shared/problem';
import { type ProgressEntry, progressWriteSchema } from '../progress/progress-item';
import { changeQueueEntry } from '../queue/queue-rules';
import type { QueueEntry } from '../queue/queue-item';
import { queueMutationValueSchema } from '../queue/queue-schemas';
import { recordProgress } from '../progress/progress-rules';
import { deleteProgress } from '../progress/progress-store';
import { addPlayableToWatchlist } from '../watchlist/watchlist-rules';
import type { WatchlistEntry } from '../watchlist/watchlist-item';
import { removeFromWatchlist } from '../watchlist/watchlist-store';
import type { Origin } from './feed-entry';
import { claimLocalId, findLocalId } from './local-id-store';
import type { Answered, Mutation, MutationApplier, MutationContext, MutationResult } from './mutations';

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

/** Answers recorded by the write that applied them, and answers with no write (the push records them). */
const recorded = (result: MutationResult): Answered => ({ result, recorded: true });
const unrecorded = (result: MutationResult): Answered => ({ result, recorded: false });

/**
 * Applies a change through a store that writes `context.answer(resultOf(value))` with it, and
 * answers with the same result: the answer is built from what the store wrote.
 */
async function applyWith<T>(context: MutationContext, resultOf: (value: T) => MutationResult, write: (alongside: (value: T) => readonly WriteItem[]) => Promise<T>): Promise<Answered> {
  return recorded(resultOf(await write((value) => context.answer(resultOf(value)))));
}

/**
 * A set (watchlist, favourites): adding and removing are idempotent, and the later of two (in
 * server order) wins.
 */
function setApplier<T>(
  type: string,
  what: string,
  add: (context: MutationContext, id: string, alongside: Alongside<T>) => Promise<T>,
  remove: (userId: string, id: string, alongside: readonly WriteItem[]) => Promise<void>,
): MutationApplier {
  return async (context, mutation) => {
    const id = uuidKeyOf(context, mutation, what);
    if (mutation.op === 'delete') {
      const result: MutationResult = { id: mutation.id, status: 'applied', type, key: id };
      await remove(context.principal.userId, id, context.answer(result));
      return recorded(result);
    }
    if (mutation.value !== undefined) throw invalid(context, 'value', `is not used for ${type} upserts`);
    return applyWith(context, (value: T) => ({ id: mutation.id, status: 'applied', type, key: id, value }), (alongside) => add(context, id, alongside));
  };
}

const watchlist = setApplier(
  'watchlist',
  'asset',
  (context, id, alongside: Alongside<WatchlistEntry>) => addPlayableToWatchlist(context.principal, id, context.now, alongside),
  removeFromWatchlist,
);
const favourite = setApplier('favourite', 'show', (context, id, alongside: Alongside<Favourite>) => followShow(context.principal.userId, id, context.now, alongside), removeFavourite);

/** Last writer (in server order) wins; device clocks play no part. */
const progress: MutationApplier = async (context, mutation) => {
  const assetId = assetKeyOf(context, mutation);
  if (mutation.op === 'delete') {
    const result: MutationResult = { id: mutation.id, status: 'applied', type: 'progress', key: assetId };
    await deleteProgress(context.principal.userId, assetId, context.answer(result));
    return recorded(result);
  }
  const value = progressWriteSchema.safeParse(mutation.value);
  if (!value.success) throw invalid(context, 'value', 'must be {"progress": <whole seconds>}');
  return applyWith(
    context,
    (entry: ProgressEntry) => ({ id: mutation.id, status: 'applied', type: 'progress', key: assetId, value: entry }),
    (alongside) => recordProgress(context.principal, assetId, value.data.progress, context.now, `${context.field}.value.progress`, alongside),
  );
};

/**
 * The queue: upsert adds or moves an entry and may set its state; delete marks it removed. Like
 * progress, the later change in server order wins; a removed or finished entry stays remembered.
 */
const queue: MutationApplier = async (context, mutation) => {
  const episodeId = uuidKeyOf(context, mutation, 'episode');
  const change = mutation.op === 'delete' ? { state: 'removed' as const, add: false } : { ...parseQueueValue(context, mutation.value), add: true };
  return applyWith(
    context,
    (entry: QueueEntry) => ({ id: mutation.id, status: 'applied', type: 'queue', key: episodeId, value: entry }),
    (alongside) => changeQueueEntry(context.principal.userId, episodeId, change, context.now, alongside),
  );
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
      if (!known) return unrecorded({ id: mutation.id, status: 'applied', type: DATASET_RECORD, key: '', localId: mutation.localId });
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
    // Deleted now, or already gone: either way the record is gone.
    const gone: MutationResult = { id: mutation.id, status: 'applied', type: DATASET_RECORD, key: publicKey, ...localId };
    const removed = await deleteRecord(userId, address.dataset, address.key, mutation.baseVersion, context.now, context.answer(gone));
    if (removed.outcome === 'version-mismatch' && removed.current !== null) {
      return unrecorded({ id: mutation.id, status: 'conflict', type: DATASET_RECORD, key: publicKey, current: removed.current });
    }
    // A version given for a record that is gone wrote nothing, not even the answer.
    return removed.outcome === 'version-mismatch' ? unrecorded(gone) : recorded(gone);
  }

  const value = datasetValueSchema.safeParse(mutation.value);
  if (!value.success) throw invalid(context, 'value', value.error.issues[0]?.message ?? 'is not a valid record value');
  const applied = (record: DatasetRecord): MutationResult => ({ id: mutation.id, status: 'applied', type: DATASET_RECORD, key: publicKey, ...localId, value: record });
  const written = await putRecord(userId, address.dataset, address.key, value.data, mutation.baseVersion, context.now, origin, (record) => context.answer(applied(record)));
  if (written.outcome === 'written') return recorded(applied(written.record));
  if (written.outcome === 'limit-reached') throw refusal(written, address.dataset);
  return unrecorded({ id: mutation.id, status: 'conflict', type: DATASET_RECORD, key: publicKey, current: written.current });
};

/** Every synced type a device may push, by its feed type name. */
export const mutationAppliers: Record<string, MutationApplier> = { watchlist, progress, favourite, queue, [DATASET_RECORD]: datasetRecord };
