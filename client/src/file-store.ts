import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Store } from './store';

/**
 * A Node store: one JSON file. Every commit writes the whole replica to a temporary file,
 * flushes it to disk and renames it over the old one (and flushes the directory), so a
 * process killed at any moment leaves either the old file or the new one, never half of one.
 */
export function fileStore(file: string): Store {
  const absolute = path.resolve(file);
  let entries: Map<string, unknown> | undefined;
  let queue: Promise<void> = Promise.resolve();

  const read = (): Map<string, unknown> => {
    if (entries) return entries;
    let text: string | undefined;
    try {
      text = readFileSync(absolute, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    entries = new Map(text === undefined ? [] : (Object.entries(JSON.parse(text) as Record<string, unknown>) as Array<[string, unknown]>));
    return entries;
  };

  const write = (next: Map<string, unknown>) => {
    mkdirSync(path.dirname(absolute), { recursive: true });
    const temporary = `${absolute}.${process.pid}.tmp`;
    const fd = openSync(temporary, 'w');
    try {
      writeSync(fd, JSON.stringify(Object.fromEntries(next)));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, absolute);
    try {
      const dir = openSync(path.dirname(absolute), 'r');
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
    } catch {
      // Some platforms (Windows) cannot open a directory; the rename is still atomic there.
    }
  };

  return {
    async load() {
      return [...read()];
    },
    commit(puts, deletes) {
      const run = queue.then(() => {
        const next = new Map(read());
        for (const [key, value] of puts) next.set(key, JSON.parse(JSON.stringify(value)) as unknown);
        for (const key of deletes) next.delete(key);
        write(next);
        entries = next;
      });
      queue = run.catch(() => undefined);
      return run;
    },
  };
}
