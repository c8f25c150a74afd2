/**
 * Where a client keeps its replica: items, the outbox, local ids and bookkeeping, as string
 * keys with JSON values. `commit` must be atomic: after a crash the store holds all of a
 * commit or none of it, which is what lets a client killed mid-synchronize start again from
 * a consistent state.
 */
export interface Store {
  /** Every entry, as stored. */
  load(): Promise<Array<[string, unknown]>>;
  /** Writes `puts` and removes `deletes`, all or nothing. */
  commit(puts: Array<[string, unknown]>, deletes: string[]): Promise<void>;
  close?(): Promise<void>;
}

/** Keeps everything in memory: nothing survives the process (tests, short-lived tools). */
export function memoryStore(): Store {
  const entries = new Map<string, string>();
  return {
    async load() {
      return [...entries].map(([key, json]) => [key, JSON.parse(json) as unknown]);
    },
    async commit(puts, deletes) {
      // Serialised like a real store would, so a value changed after commit is not changed here.
      for (const [key, value] of puts) entries.set(key, JSON.stringify(value));
      for (const key of deletes) entries.delete(key);
    },
  };
}
