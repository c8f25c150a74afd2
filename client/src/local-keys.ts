import type { SyncMutation } from './api';

/**
 * Dataset records are keyed `<dataset>/<key>` in the feed. One created offline lives under
 * `<dataset>/<localId>` until the server gives it a key; after that the local id maps to it.
 */
export const DATASET_RECORD = 'dataset-record';

export const recordKey = (dataset: string, key: string) => `${dataset}/${key}`;

export function splitRecordKey(address: string): { dataset: string; key: string } {
  const slash = address.indexOf('/');
  return { dataset: address.slice(0, slash), key: address.slice(slash + 1) };
}

/** Where the item a mutation is about lives in the replica now. */
export function localKeyOf(mutation: SyncMutation, localIds: ReadonlyMap<string, string>): string | undefined {
  if (mutation.key !== undefined) return mutation.key;
  if (mutation.localId === undefined) return undefined;
  return localIds.get(mutation.localId) ?? (mutation.dataset === undefined ? undefined : recordKey(mutation.dataset, mutation.localId));
}
