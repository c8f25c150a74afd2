import { episodeFromItem } from '../catalog/episode-store';
import { CATALOG_MEMBER_ENTITY, refreshMemberFromContent } from '../catalogs/catalog-member-store';
import { QUEUE_ENTITY } from '../queue/queue-item';
import { refreshQueueCopy } from '../queue/queue-store';
import type { TableKey } from '../shared/table-access';

/**
 * How each kind of holder refreshes its copy (by the holder's `entity`), written by the holder's
 * own entity module: true when the holder changed, false when it already had this version.
 */
export const holderRefreshes: Record<string, (holderKey: TableKey, contentKey: string, content: Record<string, unknown>, now: string) => Promise<boolean>> = {
  /** A queue entry keeps the episode's metadata; an unpublished episode marks it unavailable. */
  [QUEUE_ENTITY]: (holderKey, contentKey, content, now) => refreshQueueCopy(holderKey, contentKey, episodeFromItem(content), now),
  /** A curated catalog member keeps the item's `updatedAt` and `deletedAt`, for diffs. */
  [CATALOG_MEMBER_ENTITY]: refreshMemberFromContent,
};
