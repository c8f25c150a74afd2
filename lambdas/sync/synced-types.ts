import { datasetRecordFeed } from '../datasets/dataset-item';
import { favouriteFeed } from '../favourites/favourite-item';
import { inboxFeed, outboxFeed } from '../messages/message-items';
import { progressFeed } from '../progress/progress-item';
import { queueFeed } from '../queue/queue-item';
import type { FeedType } from '../shared/sync-contract';
import { watchlistFeed } from '../watchlist/watchlist-item';

/**
 * Every user-owned type that joins the change feed, each described once next to its item shape.
 * Pure descriptors only: the stream router and the feed reader import this list, and their
 * bundles carry no domain rules (the push route's list, with the appliers, is push-types.ts).
 */
export const syncedTypes: readonly FeedType[] = [watchlistFeed, progressFeed, favouriteFeed, queueFeed, datasetRecordFeed, inboxFeed, outboxFeed];

const byEntity = new Map(syncedTypes.map((t) => [t.entity, t]));
const byType = new Map(syncedTypes.map((t) => [t.type, t]));

export const syncedTypeOfEntity = (entity: unknown): FeedType | undefined => (typeof entity === 'string' ? byEntity.get(entity) : undefined);
export const syncedTypeNamed = (type: string): FeedType | undefined => byType.get(type);
