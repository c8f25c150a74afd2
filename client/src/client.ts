import type { EpisodeFetchResult, InfoPacket, ProgressEntry, QueueState, SyncMutation } from './api';
import { type Clock, systemClock } from './clock';
import { randomId } from './ids';
import { DATASET_RECORD, recordKey } from './local-keys';
import { createMessages, type Inbox, type Messages } from './messages';
import { ProgressSender } from './progress';
import { type ItemChange, type PendingMutation, Replica, type ReplicaChange } from './replica';
import type { Store } from './store';
import { type Conflict, type SyncReport, synchronizeOnce } from './synchronize';
import { ApiError, createTransport, type RetryOptions } from './transport';

export interface ClientOptions {
  /** The API's origin, e.g. `https://api.example.com` (no `/v1`). */
  baseUrl: string;
  /** The user's bearer token; called before each request, so it may refresh. */
  token: () => Promise<string> | string;
  /** This installation's id: 1-128 of `A-Z a-z 0-9 _ . : -`, the same for as long as its store lives. */
  deviceId: string;
  store: Store;
  /** Hears each mutation the server answered with a conflict, with the server's current record. */
  onConflict?: (conflict: Conflict) => void;
  /** Least time between two progress sends for one title (default 15 s). */
  progressIntervalMs?: number;
  retry?: RetryOptions;
  /** Changes per pull page (default 500). */
  pageLimit?: number;
  fetch?: typeof fetch;
  clock?: Clock;
  random?: () => number;
}

/** Types whose later write simply replaces an earlier one, so a waiting mutation can be merged. */
const REPLACEABLE = new Set(['progress', 'watchlist', 'favourite']);

/** What `handlePush` did: the packet (pushed, or polled because it was too large to push), a sync run, or nothing. */
export type PushHandled = { handled: 'packet' | 'inbox'; inbox: Inbox } | { handled: 'sync'; report: SyncReport } | { handled: 'ignored' };

export interface Client {
  /** Resolves once the store is loaded; reads are synchronous after it. */
  open(): Promise<void>;
  watchlist: { add(assetId: string): Promise<void>; remove(assetId: string): Promise<void> };
  progress: { set(assetId: string, seconds: number): Promise<void>; clear(assetId: string): Promise<void>; flush(assetId?: string): Promise<void> };
  favourites: { follow(showId: string): Promise<void>; unfollow(showId: string): Promise<void> };
  queue: { set(episodeId: string, change?: { state?: QueueState; position?: number }): Promise<void>; remove(episodeId: string): Promise<void> };
  datasets: {
    put(dataset: string, value: unknown, options?: { key?: string; baseVersion?: number }): Promise<{ key: string; localId?: string }>;
    remove(dataset: string, key: string, options?: { baseVersion?: number }): Promise<void>;
    /** The server key of a record created offline, once known. */
    keyOf(localId: string): string | undefined;
  };
  items<T = unknown>(type: string): T[];
  item<T = unknown>(type: string, key: string): T | undefined;
  pending(): PendingMutation[];
  synchronize(): Promise<SyncReport>;
  subscribe(listener: (change: ItemChange) => void): () => void;
  messages: Messages;
  episodes: { fetchNew(perShow: number): Promise<EpisodeFetchResult> };
  /**
   * A background push from Playhead, as the app received it: the APNs payload, or FCM's data
   * (whose values are strings). An info packet is applied, "poll the inbox" reads it, a sync
   * hint runs synchronize(); anything else is not Playhead's and is left alone.
   */
  handlePush(data: Record<string, unknown>): Promise<PushHandled>;
  /** Stops timers and waits for what is being sent; flushes progress first. */
  close(): Promise<void>;
}

export function createClient(options: ClientOptions): Client {
  const clock = options.clock ?? systemClock;
  const transport = createTransport({
    baseUrl: options.baseUrl,
    token: options.token,
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    clock,
    retry: options.retry ?? {},
    random: options.random ?? Math.random,
  });
  const replica = new Replica(options.store);
  const inFlight = new Set<number>();
  const now = () => new Date(clock.now()).toISOString();
  let loaded = false;
  const ready = replica.load().then(() => {
    loaded = true;
  });
  const opened = async () => {
    await ready;
  };
  const requireLoaded = () => {
    if (!loaded) throw new Error('the client is still loading its store: await client.open() first');
  };

  /** One local write: the item changes now, and its mutation joins the outbox in the same commit. */
  async function write(type: SyncMutation['type'], key: string, op: 'upsert' | 'delete', value: unknown, mutation: Omit<SyncMutation, 'id' | 'type' | 'op'>) {
    await opened();
    let pending: PendingMutation | undefined;
    await replica.change((tx: ReplicaChange) => {
      if (REPLACEABLE.has(type)) {
        for (const entry of replica.pending()) {
          if (entry.mutation.type === type && entry.mutation.key === key && !inFlight.has(entry.seq)) tx.dequeue(entry.seq);
        }
      }
      if (op === 'upsert') tx.setItem(type, key, value, 'local');
      else tx.deleteItem(type, key, 'local');
      pending = tx.enqueue({ id: randomId('m'), type, op, ...mutation }, now());
    });
    return pending as PendingMutation;
  }

  const progressSender = new ProgressSender({
    clock,
    intervalMs: options.progressIntervalMs ?? 15_000,
    send: async (assetId) => {
      const entry = replica.pending().find((e) => e.mutation.type === 'progress' && e.mutation.key === assetId && !inFlight.has(e.seq));
      if (!entry) return;
      inFlight.add(entry.seq);
      try {
        const path = `/v1/progress/${encodeURIComponent(assetId)}`;
        let answer: ProgressEntry | undefined;
        try {
          if (entry.mutation.op === 'delete') await transport.json('DELETE', path);
          else answer = await transport.json<ProgressEntry>('PUT', path, entry.mutation.value);
        } catch (error) {
          // Refused for good (an unknown title, a position past its end): nothing to send again.
          if (!(error instanceof ApiError && error.status < 500 && error.status !== 429)) {
            // Not sent; a newer position recorded meanwhile makes this one moot.
            const newer = replica.pending().some((e) => e.seq > entry.seq && e.mutation.type === 'progress' && e.mutation.key === assetId);
            if (newer) await replica.change((tx) => tx.dequeue(entry.seq));
            throw error;
          }
        }
        await replica.change((tx) => {
          if (!replica.outbox.has(entry.seq)) return;
          tx.dequeue(entry.seq);
          if (answer && !replica.hasPending('progress', assetId)) tx.setItem('progress', assetId, answer, 'server');
        });
      } finally {
        inFlight.delete(entry.seq);
      }
    },
  });

  let running: Promise<SyncReport> | undefined;
  const client: Client = {
    open: opened,
    watchlist: {
      add: async (assetId) => {
        const existing = replica.get('watchlist', assetId) as { addedAt?: string } | undefined;
        await write('watchlist', assetId, 'upsert', { asset: assetId, addedAt: existing?.addedAt ?? now() }, { key: assetId });
      },
      remove: async (assetId) => {
        await write('watchlist', assetId, 'delete', undefined, { key: assetId });
      },
    },
    progress: {
      set: async (assetId, seconds) => {
        const progress = Math.max(0, Math.floor(seconds));
        await write('progress', assetId, 'upsert', { asset: assetId, progress, updatedAt: now() }, { key: assetId, value: { progress } });
        progressSender.changed(assetId);
      },
      clear: async (assetId) => {
        progressSender.cancel(assetId);
        await write('progress', assetId, 'delete', undefined, { key: assetId });
        await progressSender.flush(assetId).catch(() => undefined);
      },
      flush: (assetId) => progressSender.flush(assetId).catch(() => undefined),
    },
    favourites: {
      follow: async (showId) => {
        const existing = replica.get('favourite', showId) as { addedAt?: string } | undefined;
        await write('favourite', showId, 'upsert', { show: showId, addedAt: existing?.addedAt ?? now() }, { key: showId });
      },
      unfollow: async (showId) => {
        await write('favourite', showId, 'delete', undefined, { key: showId });
      },
    },
    queue: {
      set: async (episodeId, change = {}) => {
        const existing = (replica.get('queue', episodeId) ?? {}) as Record<string, unknown>;
        const value = { ...existing, episodeId, state: change.state ?? existing.state ?? 'queued', position: change.position ?? existing.position ?? 0, updatedAt: now() };
        await write('queue', episodeId, 'upsert', value, { key: episodeId, value: change });
      },
      remove: async (episodeId) => {
        const existing = replica.get('queue', episodeId) as Record<string, unknown> | undefined;
        // The server keeps a removed entry (state `removed`), so the item stays with that state.
        await write('queue', episodeId, 'upsert', { ...existing, episodeId, state: 'removed', updatedAt: now() }, { key: episodeId, value: { state: 'removed' } });
      },
    },
    datasets: {
      put: async (dataset, value, { key, baseVersion } = {}) => {
        await opened();
        const serverKey = key === undefined ? undefined : (replica.localIds.get(key) ?? (isLocalId(key) ? undefined : recordKey(dataset, key)));
        const localId = key === undefined ? randomId('l') : serverKey === undefined ? key : undefined;
        const address = serverKey ?? recordKey(dataset, localId as string);
        const existing = replica.get(DATASET_RECORD, address) as { version?: number } | undefined;
        const recordKeyPart = address.slice(dataset.length + 1);
        const record = { dataset, key: recordKeyPart, value, version: existing?.version ?? 0, updatedAt: now() };
        const base = baseVersion === undefined ? {} : { baseVersion };
        await write(DATASET_RECORD, address, 'upsert', record, serverKey === undefined ? { localId, dataset, value, ...base } : { key: serverKey, value, ...base });
        return { key: recordKeyPart, ...(localId === undefined ? {} : { localId }) };
      },
      remove: async (dataset, key, { baseVersion } = {}) => {
        await opened();
        const serverKey = replica.localIds.get(key) ?? (isLocalId(key) ? undefined : recordKey(dataset, key));
        const address = serverKey ?? recordKey(dataset, key);
        const base = baseVersion === undefined ? {} : { baseVersion };
        await write(DATASET_RECORD, address, 'delete', undefined, serverKey === undefined ? { localId: key, dataset, ...base } : { key: serverKey, ...base });
      },
      keyOf: (localId) => replica.localIds.get(localId),
    },
    items<T>(type: string): T[] {
      requireLoaded();
      return [...(replica.items.get(type)?.values() ?? [])] as T[];
    },
    item<T>(type: string, key: string): T | undefined {
      requireLoaded();
      return replica.get(type, key) as T | undefined;
    },
    pending() {
      requireLoaded();
      // Copies, by JSON (React Native has no structuredClone): the outbox itself is not the app's to change.
      return replica.pending().map((entry) => JSON.parse(JSON.stringify(entry)) as PendingMutation);
    },
    synchronize() {
      running ??= (async () => {
        await opened();
        return synchronizeOnce({ transport, replica, deviceId: options.deviceId, onConflict: options.onConflict, inFlight, pageLimit: options.pageLimit ?? 500 });
      })().finally(() => {
        running = undefined;
      });
      return running;
    },
    subscribe: (listener) => replica.subscribe(listener),
    messages: createMessages(transport, replica, now),
    episodes: {
      fetchNew: async (perShow) => {
        await opened();
        const result = await transport.json<EpisodeFetchResult>('POST', '/v1/episodes/fetch', { perShow });
        await replica.change((tx) => {
          for (const entry of result.added) if (!replica.hasPending('queue', entry.episodeId)) tx.setItem('queue', entry.episodeId, entry, 'server');
        });
        return result;
      },
    },
    async handlePush(data) {
      const packet = typeof data.packet === 'string' ? (JSON.parse(data.packet) as unknown) : data.packet;
      if (typeof packet === 'object' && packet !== null && Array.isArray((packet as InfoPacket).outgoing)) {
        await this.messages.applyPacket(packet as InfoPacket);
        return { handled: 'packet', inbox: { ...(packet as InfoPacket), sent: this.messages.sent() } };
      }
      if (data.pollInbox === true || data.pollInbox === 'true') return { handled: 'inbox', inbox: await this.messages.inbox() };
      if (data.sync !== undefined) return { handled: 'sync', report: await this.synchronize() };
      return { handled: 'ignored' };
    },
    async close() {
      await progressSender.flush().catch(() => undefined);
      progressSender.stop();
      await running?.catch(() => undefined);
      await options.store.close?.();
    },
  };
  return client;
}

/** Local ids are the client's own (`l` and 32 hex digits); a key the app chose never looks like one. */
const isLocalId = (key: string): boolean => /^l[0-9a-f]{32}$/.test(key);

