import { episodeFromItem } from '../catalog/episode-store';
import { CATALOG_MEMBER_ENTITY, memberRefresh } from '../catalogs/catalog-member-store';
import { episodeCopyOf, QUEUE_ENTITY } from '../queue/queue-item';

/** What a holder's refresh sets and removes, given the content as it is now. */
export interface HolderUpdate {
  set: Record<string, unknown>;
  remove: string[];
}

/**
 * How each kind of holder refreshes its copy (by the holder's `entity`). Every refresh also
 * sets `contentUpdatedAt`; the worker adds that and the condition that makes it idempotent.
 */
export const holderRefreshes: Record<string, (content: Record<string, unknown>, now: string) => HolderUpdate> = {
  /** A queue entry keeps the episode's metadata; an unpublished episode marks it unavailable. */
  [QUEUE_ENTITY]: (content, now) => {
    const episode = episodeFromItem(content);
    const set: Record<string, unknown> = { episode: episodeCopyOf(episode), updatedAt: now };
    if (episode.deletedAt === undefined) return { set, remove: ['unavailableSince'] };
    return { set: { ...set, unavailableSince: episode.deletedAt }, remove: [] };
  },
  /** A curated catalog member keeps the item's `updatedAt` and `deletedAt`, for diffs. */
  [CATALOG_MEMBER_ENTITY]: memberRefresh,
};
