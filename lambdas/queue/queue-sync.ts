import { applyWith, invalid, uuidKeyOf } from '../shared/sync-appliers';
import type { MutationApplier, MutationContext, SyncedType } from '../shared/sync-contract';
import { type QueueEntry, queueFeed } from './queue-item';
import { changeQueueEntry } from './queue-rules';
import { queueMutationValueSchema } from './queue-schemas';

/**
 * Upsert adds or moves an entry and may set its state; delete marks it removed. Like progress,
 * the later change in server order wins; a removed or finished entry stays remembered.
 */
const apply: MutationApplier = async (context, mutation) => {
  const episodeId = uuidKeyOf(context, mutation, 'episode');
  const change = mutation.op === 'delete' ? { state: 'removed' as const, add: false } : { ...parseQueueValue(context, mutation.value), add: true };
  return applyWith(
    context,
    (entry: QueueEntry) => ({ id: mutation.id, status: 'applied', type: 'queue', key: episodeId, value: entry }),
    (alongside) => changeQueueEntry(context.principal.userId, episodeId, change, context.now, alongside),
  );
};

function parseQueueValue(context: MutationContext, value: unknown) {
  const parsed = queueMutationValueSchema.safeParse(value ?? {});
  if (!parsed.success) throw invalid(context, 'value', 'must be {"position"?: <number>, "state"?: "queued" | "playing" | "finished" | "removed"}');
  return parsed.data;
}

/** The episode queue in sync pushes. */
export const queueSync: SyncedType = { ...queueFeed, apply };
