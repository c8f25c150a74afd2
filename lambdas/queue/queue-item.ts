import * as z from 'zod';
import type { Episode } from '../catalog/episode-store';
import { holderIndexAttributes as holdsContent } from '../catalog/holders-index';
import { userPartitionKey } from '../shared/keys';

/**
 * An episode in a user's queue: `USER#<userId>` / `QUEUE#<episodeId>`. Pure item shape and keys.
 *
 * Finished and removed entries stay (that is how no fetch ever brings them back), but only
 * queued and playing entries are holders of their episode (GSI1), so only they receive the
 * episode's later edits; an entry that becomes active again copies the episode afresh.
 */
export const QUEUE_ENTITY = 'queue-entry';
export const QUEUE_SORT_PREFIX = 'QUEUE#';

export const queueStates = ['queued', 'playing', 'finished', 'removed'] as const;
export type QueueState = (typeof queueStates)[number];
export const ACTIVE_STATES: readonly QueueState[] = ['queued', 'playing'];
export const isActiveState = (state: QueueState): boolean => ACTIVE_STATES.includes(state);

/** What a queue entry keeps of its episode, so a device can show and play it offline. */
const episodeCopySchema = z.object({
  title: z.string(),
  audioUrl: z.string(),
  contentType: z.string(),
  durationSeconds: z.number(),
  publishedAt: z.string(),
});

export const queueItemSchema = z.object({
  entity: z.literal(QUEUE_ENTITY),
  episodeId: z.string(),
  showId: z.string(),
  position: z.number(),
  state: z.enum(queueStates),
  addedAt: z.string(),
  updatedAt: z.string(),
  episode: episodeCopySchema,
  /** The episode's `updatedAt` when it was copied; propagation only ever moves it forward. */
  contentUpdatedAt: z.string(),
  /** Set when the episode was unpublished; the entry stays so every device learns of it. */
  unavailableSince: z.string().optional(),
  /**
   * Where playback stands, in whole seconds (0 to the episode's duration), and when that was
   * so: distinct from `position`, the entry's place in the queue. A position older than
   * `playbackAt` never replaces it.
   */
  playbackSeconds: z.number().int().min(0).optional(),
  playbackAt: z.string().optional(),
});

export type QueueItem = z.infer<typeof queueItemSchema>;

export interface QueueEntry {
  episodeId: string;
  showId: string;
  position: number;
  state: QueueState;
  addedAt: string;
  updatedAt: string;
  available: boolean;
  unavailableSince?: string;
  playbackSeconds?: number;
  playbackAt?: string;
  episode: z.infer<typeof episodeCopySchema> & { updatedAt: string };
}

export const queueKey = (userId: string, episodeId: string) => ({ PK: userPartitionKey(userId), SK: `${QUEUE_SORT_PREFIX}${episodeId}` });

export const episodeContentKey = (episodeId: string): string => `episode:${episodeId}`;

/** Index attributes of an active entry: it holds its episode (see content-keys.ts). */
export const holderIndexAttributes = (userId: string, episodeId: string) => holdsContent(episodeContentKey(episodeId), userPartitionKey(userId));

export const episodeCopyOf = (episode: Episode): z.infer<typeof episodeCopySchema> => ({
  title: episode.title,
  audioUrl: episode.audioUrl,
  contentType: episode.contentType,
  durationSeconds: episode.durationSeconds,
  publishedAt: episode.publishedAt,
});

export function queueEntryFromItem(item: Record<string, unknown>): QueueEntry {
  const parsed = queueItemSchema.parse(item);
  return {
    episodeId: parsed.episodeId,
    showId: parsed.showId,
    position: parsed.position,
    state: parsed.state,
    addedAt: parsed.addedAt,
    updatedAt: parsed.updatedAt,
    available: parsed.unavailableSince === undefined,
    ...(parsed.unavailableSince === undefined ? {} : { unavailableSince: parsed.unavailableSince }),
    ...(parsed.playbackSeconds === undefined ? {} : { playbackSeconds: parsed.playbackSeconds }),
    ...(parsed.playbackAt === undefined ? {} : { playbackAt: parsed.playbackAt }),
    episode: { ...parsed.episode, updatedAt: parsed.contentUpdatedAt },
  };
}

/** Queue order: by position, then episode id, so every device sorts the same way. */
export const compareQueueEntries = (a: Pick<QueueEntry, 'position' | 'episodeId'>, b: Pick<QueueEntry, 'position' | 'episodeId'>): number =>
  a.position - b.position || (a.episodeId < b.episodeId ? -1 : a.episodeId > b.episodeId ? 1 : 0);
