import * as z from 'zod';
import type { WriteItem } from './atomic-writes';
import type { Principal } from './principal';
import type { ProblemBody } from './problem';

/**
 * The contract between the sync machinery (the change feed, sync pushes) and the domains whose
 * items it syncs. It imports no domain: each domain describes its feed type next to its item
 * shape (`<domain>-item.ts`, pure) and its pushable type with the applier (`<domain>-sync.ts`);
 * `lambdas/sync/synced-types.ts` and `lambdas/sync/push-types.ts` list them.
 */

/** Items a device created offline carry this attribute; the feed copies it into their entries. */
export const originSchema = z.object({ deviceId: z.string(), localId: z.string() });
export type Origin = z.infer<typeof originSchema>;

const clientIdSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'must be 1-128 characters of A-Z a-z 0-9 _ . : -');

/**
 * One change a device made, offline or not. `id` is the device's own id for the mutation: a
 * push sent again (its answer was lost) carries the same ids. A record the device created
 * offline carries a `localId` and no `key`; the server assigns the key.
 */
export const mutationSchema = z.strictObject({
  id: clientIdSchema,
  type: z.string().min(1).max(64),
  op: z.enum(['upsert', 'delete']),
  key: z.string().min(1).max(400).optional(),
  localId: clientIdSchema.optional(),
  /** Where a record created under a local id goes, for types that have collections (datasets). */
  dataset: z.string().min(1).max(128).optional(),
  value: z.unknown().optional(),
  /** The server version the device last saw; types with versions answer a stale one with a conflict. */
  baseVersion: z.number().int().nonnegative().optional(),
});

export type Mutation = z.infer<typeof mutationSchema>;

export type MutationResult =
  | { id: string; status: 'applied'; type: string; key: string; localId?: string; value?: unknown }
  | { id: string; status: 'conflict'; type: string; key: string; current: unknown }
  | { id: string; status: 'rejected'; problem: ProblemBody };

/** The keys the server gave records a device created offline, per device (kept by the sync side). */
export interface LocalIds {
  /** The key for this local id: `proposedKey` when it is new, else the one it got before; undefined when it names another type's record. */
  claim(localId: string, type: string, proposedKey: string): Promise<string | undefined>;
  find(localId: string): Promise<{ type: string; key: string } | undefined>;
}

export interface MutationContext {
  principal: Principal;
  deviceId: string;
  now: string;
  /** Prefix for field names in problems: `mutations.<index>`. */
  field: string;
  /**
   * The write that records `result` as this mutation's answer. An applier hands it to the store
   * that applies the mutation, which writes both in one request (atomic-writes.ts): a crash
   * never leaves the mutation applied and unanswered, and of two pushes racing with the same
   * mutation only one applies it (the other's write is refused and it returns the recorded answer).
   */
  answer: (result: MutationResult) => readonly WriteItem[];
  localIds: LocalIds;
}

/** An applier's answer, and whether the write that applied the mutation recorded it. */
export interface Answered {
  result: MutationResult;
  recorded: boolean;
}

/** Applies one mutation of one type; throws an HttpProblem to reject it (nothing written). */
export type MutationApplier = (context: MutationContext, mutation: Mutation) => Promise<Answered>;

/**
 * One kind of user-owned item that joins the change feed: pure (keys and views only), so the
 * stream router and the feed reader carry no domain rules in their bundles.
 */
export interface FeedType {
  /** Public type name in the feed and in sync mutations, e.g. `watchlist`. */
  type: string;
  /** The item's `entity` attribute. */
  entity: string;
  /** Sort-key prefix of these items in the user's partition (snapshots read by prefix). */
  sortPrefix: string;
  /** The public key of an item within its type (asset id, `dataset/key`, …). */
  keyOf(item: Record<string, unknown>): string;
  /** The public JSON value of an item, as the type's own GET route returns it. */
  viewOf(item: Record<string, unknown>): unknown;
}

/** A feed type devices may also push changes to: its descriptor with the applier. */
export interface SyncedType extends FeedType {
  apply: MutationApplier;
}
