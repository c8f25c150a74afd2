import type { SyncMutation } from './api';
import { localKeyOf } from './local-keys';
import type { Store } from './store';

/** A mutation waiting in the outbox; `seq` orders the outbox and survives restarts with it. */
export interface PendingMutation {
  seq: number;
  mutation: SyncMutation;
  createdAt: string;
}

/** An outgoing video message this device sent, tracked until the recipient has viewed it. */
export interface TrackedMessage {
  messageId: string;
  recipientId: string;
  /** `uploading` and `confirming` are the device's own steps; the rest are the server's. */
  state: 'uploading' | 'confirming' | 'UPLOADED' | 'DOWNLOADED' | 'VIEWED' | 'REPLACED';
  sentAt: string;
  updatedAt: string;
}

/** What a subscriber hears: one item changed, by this device (`local`) or from the server. */
export interface ItemChange {
  type: string;
  key: string;
  op: 'upsert' | 'delete';
  value?: unknown;
  source: 'local' | 'server';
  /** Set when a record created offline got its server key: the key it had until now. */
  previousKey?: string;
}

const ITEM = 'item:';
const OUTBOX = 'out:';
const LOCAL_ID = 'local:';
const MESSAGE = 'msg:';
const META = 'meta';

const outboxKey = (seq: number) => `${OUTBOX}${String(seq).padStart(12, '0')}`;
const itemKey = (type: string, key: string) => `${ITEM}${type}:${key}`;

/**
 * The device's copy of the user's data (items by type and key), its outbox, the server keys of
 * records it created offline and its tracked messages, in memory and in the store. Every change
 * goes through `change()`, which applies it in memory at once (reads see it immediately) and
 * commits it to the store as one atomic write; commits are queued so they land in order.
 */
export class Replica {
  readonly items = new Map<string, Map<string, unknown>>();
  readonly outbox = new Map<number, PendingMutation>();
  readonly localIds = new Map<string, string>();
  readonly messages = new Map<string, TrackedMessage>();
  private nextSeq = 1;
  private commits: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<(change: ItemChange) => void>();

  constructor(private readonly store: Store) {}

  async load(): Promise<void> {
    for (const [key, value] of await this.store.load()) {
      if (key.startsWith(ITEM)) {
        const rest = key.slice(ITEM.length);
        const split = rest.indexOf(':');
        this.typeMap(rest.slice(0, split)).set(rest.slice(split + 1), value);
      } else if (key.startsWith(OUTBOX)) {
        const pending = value as PendingMutation;
        this.outbox.set(pending.seq, pending);
      } else if (key.startsWith(LOCAL_ID)) this.localIds.set(key.slice(LOCAL_ID.length), value as string);
      else if (key.startsWith(MESSAGE)) this.messages.set(key.slice(MESSAGE.length), value as TrackedMessage);
      else if (key === META) this.nextSeq = (value as { nextSeq: number }).nextSeq;
    }
    for (const seq of this.outbox.keys()) this.nextSeq = Math.max(this.nextSeq, seq + 1);
  }

  typeMap(type: string): Map<string, unknown> {
    let map = this.items.get(type);
    if (!map) {
      map = new Map();
      this.items.set(type, map);
    }
    return map;
  }

  get(type: string, key: string): unknown {
    return this.items.get(type)?.get(key);
  }

  /** Outbox entries in the order they were made. */
  pending(): PendingMutation[] {
    return [...this.outbox.values()].sort((a, b) => a.seq - b.seq);
  }

  /** Whether a mutation of this item waits in the outbox (a server change must not overwrite it). */
  hasPending(type: string, key: string, options: { localId?: string; exceptSeq?: number } = {}): boolean {
    for (const { seq, mutation } of this.outbox.values()) {
      if (mutation.type !== type || seq === options.exceptSeq) continue;
      if (localKeyOf(mutation, this.localIds) === key) return true;
      if (mutation.localId !== undefined && mutation.localId === options.localId) return true;
    }
    return false;
  }

  subscribe(listener: (change: ItemChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Applies `build`'s changes in memory now and commits them together. */
  change(build: (tx: ReplicaChange) => void): Promise<void> {
    const tx = new ReplicaChange(this);
    build(tx);
    const { puts, deletes, events } = tx.collect();
    for (const event of events) for (const listener of this.listeners) listener(event);
    const commit = this.commits.then(() => this.store.commit(puts, deletes));
    this.commits = commit.catch(() => undefined);
    return commit;
  }

  allocateSeq(): number {
    return this.nextSeq++;
  }

  get seqMark(): number {
    return this.nextSeq;
  }
}

/** The changes of one atomic commit. */
export class ReplicaChange {
  private readonly puts = new Map<string, unknown>();
  private readonly deletes = new Set<string>();
  private readonly events: ItemChange[] = [];

  constructor(private readonly replica: Replica) {}

  private put(key: string, value: unknown) {
    this.deletes.delete(key);
    this.puts.set(key, value);
  }
  private remove(key: string) {
    this.puts.delete(key);
    this.deletes.add(key);
  }

  setItem(type: string, key: string, value: unknown, source: ItemChange['source'], previousKey?: string): void {
    this.replica.typeMap(type).set(key, value);
    this.put(itemKey(type, key), value);
    this.events.push({ type, key, op: 'upsert', value, source, ...(previousKey === undefined ? {} : { previousKey }) });
  }

  deleteItem(type: string, key: string, source: ItemChange['source'], quiet = false): void {
    const had = this.replica.items.get(type)?.delete(key) ?? false;
    this.remove(itemKey(type, key));
    if (had && !quiet) this.events.push({ type, key, op: 'delete', source });
  }

  enqueue(mutation: SyncMutation, createdAt: string): PendingMutation {
    const pending: PendingMutation = { seq: this.replica.allocateSeq(), mutation, createdAt };
    this.replica.outbox.set(pending.seq, pending);
    this.put(outboxKey(pending.seq), pending);
    this.put(META, { nextSeq: this.replica.seqMark });
    return pending;
  }

  dequeue(seq: number): void {
    this.replica.outbox.delete(seq);
    this.remove(outboxKey(seq));
  }

  mapLocalId(localId: string, serverKey: string): void {
    this.replica.localIds.set(localId, serverKey);
    this.put(`${LOCAL_ID}${localId}`, serverKey);
  }

  setMessage(message: TrackedMessage): void {
    this.replica.messages.set(message.messageId, message);
    this.put(`${MESSAGE}${message.messageId}`, message);
  }

  deleteMessage(messageId: string): void {
    this.replica.messages.delete(messageId);
    this.remove(`${MESSAGE}${messageId}`);
  }

  collect() {
    return { puts: [...this.puts], deletes: [...this.deletes], events: this.events };
  }
}
