import * as z from 'zod';
import type { WriteItem } from '../shared/atomic-writes';
import type { ProblemBody } from '../shared/problem';
import type { Principal } from '../shared/principal';

/** Most mutations one push may carry, so one request stays well inside a Lambda's time. */
export const MAX_MUTATIONS_PER_PUSH = 100;
/** Largest push body (every value may be up to a dataset record's 32 KiB, most are tiny). */
export const MAX_PUSH_BODY_BYTES = 512 * 1024;

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

export const pushBodySchema = z.strictObject({
  mutations: z.array(z.unknown()).min(1).max(MAX_MUTATIONS_PER_PUSH),
});

export type MutationResult =
  | { id: string; status: 'applied'; type: string; key: string; localId?: string; value?: unknown }
  | { id: string; status: 'conflict'; type: string; key: string; current: unknown }
  | { id: string; status: 'rejected'; problem: ProblemBody };

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
}

/** An applier's answer, and whether the write that applied the mutation recorded it. */
export interface Answered {
  result: MutationResult;
  recorded: boolean;
}

/** Applies one mutation of one type; throws an HttpProblem to reject it (nothing written). */
export type MutationApplier = (context: MutationContext, mutation: Mutation) => Promise<Answered>;
