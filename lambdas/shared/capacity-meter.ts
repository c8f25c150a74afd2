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
