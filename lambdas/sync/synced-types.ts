import { datasetRecordSync } from '../datasets/dataset-sync';
import { favouriteSync } from '../favourites/favourite-sync';
import { inboxSync, outboxSync } from '../messages/message-sync';
import { progressSync } from '../progress/progress-sync';
import { queueSync } from '../queue/queue-sync';
import type { SyncedType } from '../shared/sync-contract';
import { watchlistSync } from '../watchlist/watchlist-sync';

/**
 * The registry: every user-owned type that joins the change feed, each described once by its
 * own domain (`<domain>-sync.ts`). A new synced type adds its descriptor here, and its changes
 * reach every device, and its pushes are applied, with no other change. Only the push route,
 * the feed reader and the stream router import this list.
 */
export const syncedTypes: readonly SyncedType[] = [watchlistSync, progressSync, favouriteSync, queueSync, datasetRecordSync, inboxSync, outboxSync];

const byEntity = new Map(syncedTypes.map((t) => [t.entity, t]));
const byType = new Map(syncedTypes.map((t) => [t.type, t]));

export const syncedTypeOfEntity = (entity: unknown): SyncedType | undefined => (typeof entity === 'string' ? byEntity.get(entity) : undefined);
export const syncedTypeNamed = (type: string): SyncedType | undefined => byType.get(type);
/** The types a device may push to, in registry order. */
export const pushableTypes: readonly string[] = syncedTypes.flatMap((t) => (t.apply ? [t.type] : []));
