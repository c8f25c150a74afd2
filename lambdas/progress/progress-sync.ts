import { applyWith, invalid, recorded, uuidKeyOf } from '../shared/sync-appliers';
import type { FeedType, MutationApplier, MutationResult } from '../shared/sync-contract';
import { PROGRESS_ENTITY, PROGRESS_SORT_PREFIX, type ProgressEntry, progressEntryFromItem, progressItemSchema, progressWriteSchema } from './progress-item';
import { recordProgress } from './progress-rules';
import { deleteProgress } from './progress-store';

/** Last writer (in server order) wins; device clocks play no part. */
export const progressApply: MutationApplier = async (context, mutation) => {
  const assetId = uuidKeyOf(context, mutation, 'asset');
  if (mutation.op === 'delete') {
    const result: MutationResult = { id: mutation.id, status: 'applied', type: 'progress', key: assetId };
    await deleteProgress(context.principal.userId, assetId, context.answer(result));
    return recorded(result);
  }
  const value = progressWriteSchema.safeParse(mutation.value);
  if (!value.success) throw invalid(context, 'value', 'must be {"progress": <whole seconds>}');
  return applyWith(
    context,
    (entry: ProgressEntry) => ({ id: mutation.id, status: 'applied', type: 'progress', key: assetId, value: entry }),
    (alongside) => recordProgress(context.principal, assetId, value.data.progress, context.now, `${context.field}.value.progress`, alongside),
  );
};

/** Playback positions in the change feed. */
export const progressFeed: FeedType = {
  type: 'progress',
  entity: PROGRESS_ENTITY,
  sortPrefix: PROGRESS_SORT_PREFIX,
  keyOf: (item) => progressItemSchema.parse(item).assetId,
  viewOf: progressEntryFromItem,
};
