import type { Store } from './store';

/*
 * The few IndexedDB shapes used here, spelled out so that the client type-checks without the
 * DOM library too (in Node projects); a browser's `indexedDB` matches them.
 */
interface IDBRequest<T = unknown> {
  result: T;
  error: unknown;
  onsuccess: (() => void) | null;
  onerror: (() => void) | null;
}
interface IDBOpenDBRequest extends IDBRequest<IDBDatabase> {
  onupgradeneeded: (() => void) | null;
}
interface IDBObjectStore {
  getAll(): IDBRequest<unknown[]>;
  getAllKeys(): IDBRequest<unknown[]>;
  put(value: unknown, key: string): unknown;
  delete(key: string): unknown;
}
interface IDBTransaction {
  objectStore(name: string): IDBObjectStore;
  error: unknown;
  oncomplete: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
}
interface IDBDatabase {
  createObjectStore(name: string): unknown;
  transaction(name: string, mode: 'readonly' | 'readwrite'): IDBTransaction;
  close(): void;
}
export interface IDBFactory {
  open(name: string, version: number): IDBOpenDBRequest;
}

const OBJECT_STORE = 'entries';

function done(request: IDBRequest): Promise<unknown> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function completed(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB transaction aborted'));
  });
}

/**
 * A browser store: one IndexedDB database of that name, one object store. Each commit is one
 * readwrite transaction, which IndexedDB applies whole or not at all, so the outbox survives a
 * reload or a closed tab.
 */
export function indexedDbStore(name: string, factory: IDBFactory | undefined = (globalThis as { indexedDB?: IDBFactory }).indexedDB): Store {
  let opened: Promise<IDBDatabase> | undefined;
  const database = (): Promise<IDBDatabase> => {
    opened ??= new Promise((resolve, reject) => {
      if (!factory) {
        reject(new Error('indexedDbStore needs IndexedDB (a browser, or a polyfill)'));
        return;
      }
      const request = factory.open(name, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(OBJECT_STORE);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    return opened;
  };
  return {
    async load() {
      const db = await database();
      const store = db.transaction(OBJECT_STORE, 'readonly').objectStore(OBJECT_STORE);
      const [keys, values] = (await Promise.all([done(store.getAllKeys()), done(store.getAll())])) as [unknown[], unknown[]];
      return keys.map((key, index) => [String(key), values[index]]);
    },
    async commit(puts, deletes) {
      const db = await database();
      const transaction = db.transaction(OBJECT_STORE, 'readwrite');
      const store = transaction.objectStore(OBJECT_STORE);
      for (const [key, value] of puts) store.put(value, key);
      for (const key of deletes) store.delete(key);
      await completed(transaction);
    },
    async close() {
      const db = opened;
      opened = undefined;
      if (db !== undefined) (await db).close();
    },
  };
}
