import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Counts the DynamoDB request units one request consumes. The count is kept per request
 * (AsyncLocalStorage), so concurrent requests in the local gateway never mix their figures.
 */
export interface CapacityTally {
  readUnits: number;
  writeUnits: number;
  requests: number;
}

const storage = new AsyncLocalStorage<CapacityTally>();

export const newTally = (): CapacityTally => ({ readUnits: 0, writeUnits: 0, requests: 0 });

export function withCapacityTally<T>(tally: CapacityTally, fn: () => Promise<T>): Promise<T> {
  return storage.run(tally, fn);
}

interface ConsumedCapacityLike {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

/** Adds one response's ConsumedCapacity (single or per table) to the current request's tally. */
export function recordConsumedCapacity(consumed: ConsumedCapacityLike | ConsumedCapacityLike[] | undefined, kind: 'read' | 'write'): void {
  const tally = storage.getStore();
  if (tally === undefined) return;
  tally.requests += 1;
  for (const c of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
    const read = c.ReadCapacityUnits ?? (kind === 'read' ? (c.CapacityUnits ?? 0) : 0);
    const write = c.WriteCapacityUnits ?? (kind === 'write' ? (c.CapacityUnits ?? 0) : 0);
    tally.readUnits += read;
    tally.writeUnits += write;
  }
}

/** Who reports a finished tally: a route, a stream batch, a propagation batch, an upload event. */
export type CapacitySource = 'request' | 'stream batch' | 'propagation batch' | 'upload event' | 'push batch';

/**
 * Hears every finished tally with the fields its source logs next to it (route, status,
 * records, …). The bench subscribes to read request units; production registers nothing.
 */
export type CapacityListener = (source: CapacitySource, tally: Readonly<CapacityTally>, fields: Readonly<Record<string, unknown>>) => void;

const listeners = new Set<CapacityListener>();

/** Registers a listener; returns the function that removes it. */
export function onCapacity(listener: CapacityListener): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** Hands a finished tally to the listeners; with none registered it returns at once. */
export function reportCapacity(source: CapacitySource, tally: CapacityTally, fields: Readonly<Record<string, unknown>>): void {
  if (listeners.size === 0) return;
  for (const listener of listeners) listener(source, tally, fields);
}
