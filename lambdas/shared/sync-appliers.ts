import type { Alongside, WriteItem } from './atomic-writes';
import { uuidSchema } from './ids';
import { HttpProblem } from './problem';
import type { Answered, Mutation, MutationApplier, MutationContext, MutationResult } from './sync-contract';

/** The pieces every domain's mutation applier is made of. */

export function invalid(context: MutationContext, name: string, message: string): HttpProblem {
  return new HttpProblem('validation-failed', `${context.field}.${name}: ${message}`, { errors: [{ field: `${context.field}.${name}`, message }] });
}

/** Watchlist, progress, favourites and the queue are keyed by ids the device already knows: no local ids. */
export function uuidKeyOf(context: MutationContext, mutation: Mutation, what: string): string {
  if (mutation.localId !== undefined) throw invalid(context, 'localId', `is not used for this type; send the ${what} id as key`);
  const parsed = uuidSchema.safeParse(mutation.key);
  if (!parsed.success) throw invalid(context, 'key', `must be the ${what} id (a UUID)`);
  return parsed.data;
}

/** Answers recorded by the write that applied them, and answers with no write (the push records them). */
export const recorded = (result: MutationResult): Answered => ({ result, recorded: true });
export const unrecorded = (result: MutationResult): Answered => ({ result, recorded: false });

/**
 * Applies a change through a store that writes `context.answer(resultOf(value))` with it, and
 * answers with the same result: the answer is built from what the store wrote.
 */
export async function applyWith<T>(
  context: MutationContext,
  resultOf: (value: T) => MutationResult,
  write: (alongside: (value: T) => readonly WriteItem[]) => Promise<T>,
): Promise<Answered> {
  return recorded(resultOf(await write((value) => context.answer(resultOf(value)))));
}

/**
 * A set (watchlist, favourites): adding and removing are idempotent, and the later of two (in
 * server order) wins.
 */
export function setApplier<T>(
  type: string,
  what: string,
  add: (context: MutationContext, id: string, alongside: Alongside<T>) => Promise<T>,
  remove: (userId: string, id: string, alongside: readonly WriteItem[]) => Promise<void>,
): MutationApplier {
  return async (context, mutation) => {
    const id = uuidKeyOf(context, mutation, what);
    if (mutation.op === 'delete') {
      const result: MutationResult = { id: mutation.id, status: 'applied', type, key: id };
      await remove(context.principal.userId, id, context.answer(result));
      return recorded(result);
    }
    if (mutation.value !== undefined) throw invalid(context, 'value', `is not used for ${type} upserts`);
    return applyWith(context, (value: T) => ({ id: mutation.id, status: 'applied', type, key: id, value }), (alongside) => add(context, id, alongside));
  };
}
