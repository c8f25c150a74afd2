import { assetIdSchema } from '../shared/ids';
import { HttpProblem } from '../shared/problem';
import { progressWriteSchema } from '../progress/progress-item';
import { recordProgress } from '../progress/progress-rules';
import { deleteProgress } from '../progress/progress-store';
import { addPlayableToWatchlist } from '../watchlist/watchlist-rules';
import { removeFromWatchlist } from '../watchlist/watchlist-store';
import type { Mutation, MutationApplier, MutationContext } from './mutations';

function invalid(context: MutationContext, name: string, message: string): HttpProblem {
  return new HttpProblem('validation-failed', `${context.field}.${name}: ${message}`, { errors: [{ field: `${context.field}.${name}`, message }] });
}

/** Watchlist and progress are keyed by asset id, which the device already knows: no local ids. */
function assetKeyOf(context: MutationContext, mutation: Mutation): string {
  if (mutation.localId !== undefined) throw invalid(context, 'localId', 'is not used for this type; send the asset id as key');
  const parsed = assetIdSchema.safeParse(mutation.key);
  if (!parsed.success) throw invalid(context, 'key', 'must be the asset id (a UUID)');
  return parsed.data;
}

/** A set: adding and removing are idempotent, and the later of two (in server order) wins. */
const watchlist: MutationApplier = async (context, mutation) => {
  const assetId = assetKeyOf(context, mutation);
  if (mutation.op === 'delete') {
    await removeFromWatchlist(context.principal.userId, assetId);
    return { id: mutation.id, status: 'applied', type: 'watchlist', key: assetId };
  }
  if (mutation.value !== undefined) throw invalid(context, 'value', 'is not used for watchlist upserts');
  const entry = await addPlayableToWatchlist(context.principal, assetId, context.now);
  return { id: mutation.id, status: 'applied', type: 'watchlist', key: assetId, value: entry };
};

/** Last writer (in server order) wins; device clocks play no part. */
const progress: MutationApplier = async (context, mutation) => {
  const assetId = assetKeyOf(context, mutation);
  if (mutation.op === 'delete') {
    await deleteProgress(context.principal.userId, assetId);
    return { id: mutation.id, status: 'applied', type: 'progress', key: assetId };
  }
  const value = progressWriteSchema.safeParse(mutation.value);
  if (!value.success) throw invalid(context, 'value', 'must be {"progress": <whole seconds>}');
  const entry = await recordProgress(context.principal, assetId, value.data.progress, context.now, `${context.field}.value.progress`);
  return { id: mutation.id, status: 'applied', type: 'progress', key: assetId, value: entry };
};

/** Every synced type a device may push, by its feed type name. */
export const mutationAppliers: Record<string, MutationApplier> = { watchlist, progress };
