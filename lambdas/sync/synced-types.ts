import { datasetRecordSyncedType } from '../datasets/dataset-item';
import { favouriteSyncedType } from '../favourites/favourite-item';
import { inboxSyncedType, outboxSyncedType } from '../messages/message-items';
import { progressSyncedType } from '../progress/progress-item';
import { queueSyncedType } from '../queue/queue-item';
import { watchlistSyncedType } from '../watchlist/watchlist-item';
import type { SyncedType } from './synced-type';

/**
 * Every user-owned type that joins the change feed. A new user-owned type adds its
 * descriptor here, and its changes reach every device with no other change.
 */
export const syncedTypes: readonly SyncedType[] = [watchlistSyncedType, progressSyncedType, favouriteSyncedType, queueSyncedType, datasetRecordSyncedType, inboxSyncedType, outboxSyncedType];

const byEntity = new Map(syncedTypes.map((t) => [t.entity, t]));
const byType = new Map(syncedTypes.map((t) => [t.type, t]));

export const syncedTypeOfEntity = (entity: unknown): SyncedType | undefined => (typeof entity === 'string' ? byEntity.get(entity) : undefined);
export const syncedTypeNamed = (type: string): SyncedType | undefined => byType.get(type);
