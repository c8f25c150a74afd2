import { applyWith, invalid, uuidKeyOf } from '../shared/sync-appliers';
import type { FeedType, MutationApplier, MutationContext } from '../shared/sync-contract';
import { QUEUE_ENTITY, QUEUE_SORT_PREFIX, type QueueEntry, queueEntryFromItem, queueItemSchema } from './queue-item';
import { changeQueueEntry } from './queue-rules';
import { queueMutationValueSchema } from './queue-schemas';

/**
 * Upsert adds or moves an entry and may set its state; delete marks it removed. Like progress,
 * the later change in server order wins; a removed or finished entry stays remembered.
 */
export const queueApply: MutationApplier = async (context, mutation) => {
  const episodeId = uuidKeyOf(context, mutation, 'episode');
  const change = mutation.op === 'delete' ? { state: 'removed' as const, add: false } : upsertOf(parseQueueValue(context, mutation.value), context.now);
  return applyWith(
    context,
    (entry: QueueEntry) => ({ id: mutation.id, status: 'applied', type: 'queue', key: episodeId, value: entry }),
    (alongside) => changeQueueEntry(context.principal.userId, episodeId, change, context.now, alongside),
  );
};

function parseQueueValue(context: MutationContext, value: unknown) {
  const parsed = queueMutationValueSchema.safeParse(value ?? {});
  if (!parsed.success) {
    throw invalid(context, 'value', 'must be {"position"?: <number>, "state"?: "queued" | "playing" | "finished" | "removed", "playbackSeconds"?: <whole seconds, 0 to the duration>}');
  }
  return parsed.data;
}

/** A pushed playback position counts as of the push: the server orders pushes, as it orders every other change. */
const upsertOf = (value: ReturnType<typeof parseQueueValue>, now: string) => ({
  position: value.position,
  state: value.state,
  playback: value.playbackSeconds === undefined ? undefined : { seconds: value.playbackSeconds, at: now },
  add: true,
});

/** The episode queue in the change feed. */
export const queueFeed: FeedType = {
  type: 'queue',
  entity: QUEUE_ENTITY,
  sortPrefix: QUEUE_SORT_PREFIX,
  keyOf: (item) => queueItemSchema.parse(item).episodeId,
  viewOf: queueEntryFromItem,
};
