import { type Change, type ChangesPage, MAX_MUTATIONS_PER_PUSH, MAX_PUSH_BODY_BYTES, type SyncMutation, type SyncMutationResult, type SyncPushResults, type SyncSession } from './api';
import { DATASET_RECORD, localKeyOf, recordKey, splitRecordKey } from './local-keys';
import type { PendingMutation, Replica, ReplicaChange } from './replica';
import { ApiError, type Transport } from './transport';

/** A mutation the server answered with a conflict, and the server's current record. */
export interface Conflict {
  mutation: SyncMutation;
  type: string;
  key: string;
  /** The server's current value (a dataset record), or null when there is none. */
  current: unknown;
}

export interface Rejection {
  mutation: SyncMutation;
  problem: Extract<SyncMutationResult, { status: 'rejected' }>['problem'];
}

export interface SyncReport {
  /** Mutations sent (a mutation sent again after a lost answer counts again). */
  pushed: number;
  /** Mutations the server applied (now or, for a retry, before). */
  applied: number;
  conflicts: Conflict[];
  /** Mutations the server refused for good; they leave the outbox. */
  rejected: Rejection[];
  /** Changes received. */
  pulled: number;
  /** Whether the replica was rebuilt from a snapshot (a new device, or one away too long). */
  reset: boolean;
  /** The device's feed position after the run. */
  position: number;
}

export interface SyncContext {
  transport: Transport;
  replica: Replica;
  deviceId: string;
  onConflict?: (conflict: Conflict) => void;
  /** Mutations currently being pushed: they must not be merged with newer writes. */
  inFlight: Set<number>;
  pageLimit: number;
}

/** Reopening a session that vanished or whose cursor expired: a few times, then the run fails. */
const MAX_SESSION_OPENS = 4;

/** UTF-8 length of a value's JSON, counted without TextEncoder (not everywhere React Native runs). */
function bytes(value: unknown): number {
  const text = JSON.stringify(value);
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) length += 1;
    else if (code < 0x800) length += 2;
    else if (code >= 0xd800 && code < 0xdc00) {
      // A surrogate pair: one four-byte character.
      length += 4;
      i++;
    } else length += 3;
  }
  return length;
}

/** The outbox cut into pushes within the server's limits (count and body size). */
export function chunks(pending: PendingMutation[]): PendingMutation[][] {
  const out: PendingMutation[][] = [];
  let current: PendingMutation[] = [];
  // `{"mutations":[]}` and the commas between mutations.
  let size = 16;
  for (const entry of pending) {
    const entrySize = bytes(entry.mutation) + 1;
    if (current.length > 0 && (current.length >= MAX_MUTATIONS_PER_PUSH || size + entrySize > MAX_PUSH_BODY_BYTES)) {
      out.push(current);
      current = [];
      size = 16;
    }
    current.push(entry);
    size += entrySize;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * One run: open a session, push the outbox in chunks, pull every page of the window, complete.
 * Every step can be repeated safely, which is what makes a run that was cut off (a crash, a
 * lost connection) harmless: mutation ids make a second push answer what the first applied,
 * applying a change twice changes nothing, and only `complete` moves the device's position.
 */
export async function synchronizeOnce(context: SyncContext): Promise<SyncReport> {
  const { transport, replica } = context;
  const report: SyncReport = { pushed: 0, applied: 0, conflicts: [], rejected: [], pulled: 0, reset: false, position: 0 };
  let opens = 0;
  const open = async (): Promise<SyncSession> => {
    if (++opens > MAX_SESSION_OPENS) throw new Error('synchronize: the server kept ending the session; try again later');
    return transport.json<SyncSession>('POST', '/v1/sync/sessions', { deviceId: context.deviceId });
  };
  let session = await open();

  for (const chunk of chunks(replica.pending())) {
    for (const entry of chunk) context.inFlight.add(entry.seq);
    try {
      let answer: SyncPushResults | undefined;
      while (!answer) {
        try {
          answer = await transport.json<SyncPushResults>('POST', `/v1/sync/sessions/${session.sessionId}/push`, { mutations: chunk.map((e) => e.mutation) });
        } catch (error) {
          if (!(error instanceof ApiError && error.slug === 'session-not-found')) throw error;
          session = await open();
        }
      }
      report.pushed += chunk.length;
      await replica.change((tx) => {
        for (const result of answer.results) {
          const entry = chunk.find((e) => e.mutation.id === result.id);
          if (entry) applyResult(context, tx, entry, result, report);
        }
      });
    } finally {
      for (const entry of chunk) context.inFlight.delete(entry.seq);
    }
  }

  for (;;) {
    try {
      await pullWindow(context, session, report);
      break;
    } catch (error) {
      // The window's start is older than the feed keeps: a new session starts from a snapshot.
      if (!(error instanceof ApiError && (error.slug === 'cursor-expired' || error.slug === 'session-not-found'))) throw error;
      session = await open();
    }
  }

  for (;;) {
    try {
      const done = await transport.json<{ position: number }>('POST', `/v1/sync/sessions/${session.sessionId}/complete`);
      report.position = done.position;
      return report;
    } catch (error) {
      // The session lived an hour and is gone; what it pulled is applied, so the next run redoes only the pull.
      if (error instanceof ApiError && error.slug === 'session-not-found') return report;
      throw error;
    }
  }
}

function applyResult(context: SyncContext, tx: ReplicaChange, entry: PendingMutation, result: SyncMutationResult, report: SyncReport): void {
  const { replica } = context;
  const { mutation } = entry;
  if (result.status === 'rejected') {
    // A server fault is not an answer: the mutation stays and goes again next time.
    if (result.problem.status >= 500) return;
    tx.dequeue(entry.seq);
    report.rejected.push({ mutation, problem: result.problem });
    return;
  }
  const before = localKeyOf(mutation, replica.localIds);
  tx.dequeue(entry.seq);
  // A record created offline that was deleted again before it ever reached the server.
  if (result.key === '') {
    if (before !== undefined && !replica.hasPending(mutation.type, before)) tx.deleteItem(mutation.type, before, 'server');
    report.applied++;
    return;
  }
  const key = result.key;
  if (mutation.localId !== undefined && !replica.localIds.has(mutation.localId)) {
    tx.mapLocalId(mutation.localId, key);
    if (before !== undefined && before !== key && replica.get(mutation.type, before) !== undefined) {
      const value = replica.get(mutation.type, before);
      tx.deleteItem(mutation.type, before, 'server', true);
      tx.setItem(mutation.type, key, rekeyed(value, key), 'server', before);
    }
  }
  // A newer local write of the same item waits in the outbox: it wins until it is pushed too.
  const newer = replica.hasPending(mutation.type, key, { localId: mutation.localId });
  if (result.status === 'conflict') {
    report.conflicts.push({ mutation, type: result.type, key, current: result.current });
    if (!newer) {
      if (result.current === null || result.current === undefined) tx.deleteItem(result.type, key, 'server');
      else tx.setItem(result.type, key, result.current, 'server');
    }
    context.onConflict?.({ mutation, type: result.type, key, current: result.current });
    return;
  }
  report.applied++;
  if (newer) return;
  if (mutation.op === 'delete') tx.deleteItem(result.type, key, 'server');
  else if (result.value !== undefined) tx.setItem(result.type, key, result.value, 'server');
}

/** A record's value moved from its local key to its server key says so in its own fields. */
function rekeyed(value: unknown, address: string): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const { key } = splitRecordKey(address);
  return { ...(value as Record<string, unknown>), key };
}

async function pullWindow(context: SyncContext, session: SyncSession, report: SyncReport): Promise<void> {
  const { transport, replica } = context;
  const snapshot = session.since === null;
  const seen = new Map<string, Set<string>>();
  let cursor: string | undefined;
  for (;;) {
    // Built by hand: React Native's URLSearchParams lacks most of its methods.
    const query = `limit=${context.pageLimit}${cursor === undefined ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
    const page = await transport.json<ChangesPage>('GET', `/v1/sync/sessions/${session.sessionId}/pull?${query}`);
    report.pulled += page.changes.length;
    await replica.change((tx) => {
      for (const change of page.changes) {
        applyChange(replica, tx, change);
        if (snapshot) {
          const keys = seen.get(change.type) ?? new Set<string>();
          seen.set(change.type, keys);
          keys.add(change.key);
        }
      }
    });
    cursor = page.cursor;
    if (!page.hasMore) break;
  }
  if (!snapshot) return;
  // The snapshot is the whole truth: what it did not list is gone, unless this device still has to push it.
  report.reset = true;
  await replica.change((tx) => {
    for (const [type, items] of replica.items) {
      for (const key of [...items.keys()]) {
        if (!seen.get(type)?.has(key) && !replica.hasPending(type, key)) tx.deleteItem(type, key, 'server');
      }
    }
  });
}

/** A dataset record's version; other values have none (0), so they always apply in feed order. */
const versionOf = (value: unknown): number => {
  const version = (value as { version?: unknown } | undefined)?.version;
  return typeof version === 'number' ? version : 0;
};

function applyChange(replica: Replica, tx: ReplicaChange, change: Change): void {
  let previousKey: string | undefined;
  if (change.localId !== undefined && change.type === DATASET_RECORD) {
    // A record this device created offline, seen with its server key (the push's answer may have been lost).
    if (!replica.localIds.has(change.localId)) tx.mapLocalId(change.localId, change.key);
    const placeholder = recordKey(splitRecordKey(change.key).dataset, change.localId);
    const local = replica.get(change.type, placeholder);
    if (local !== undefined) {
      tx.deleteItem(change.type, placeholder, 'server', true);
      previousKey = placeholder;
      if (replica.hasPending(change.type, change.key, { localId: change.localId })) {
        tx.setItem(change.type, change.key, rekeyed(local, change.key), 'server', previousKey);
        return;
      }
    }
  }
  if (replica.hasPending(change.type, change.key, { localId: change.localId })) return;
  // A push's answer can be ahead of the feed: an older version of a record arriving later must not undo it.
  if (change.op === 'upsert' && versionOf(change.value) < versionOf(replica.get(change.type, change.key))) return;
  if (change.op === 'upsert') tx.setItem(change.type, change.key, change.value, 'server', previousKey);
  else tx.deleteItem(change.type, change.key, 'server');
}
