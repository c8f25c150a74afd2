import { datasetRecordApply, datasetRecordFeed } from '../datasets/dataset-sync';
import { favouriteApply, favouriteFeed } from '../favourites/favourite-sync';
import { inboxFeed, outboxFeed } from '../messages/message-sync';
import { progressApply, progressFeed } from '../progress/progress-sync';
import { queueApply, queueFeed } from '../queue/queue-sync';
import type { FeedType, SyncedType } from '../shared/sync-contract';
import { watchlistApply, watchlistFeed } from '../watchlist/watchlist-sync';

/**
 * The registry: every user-owned type that joins the change feed, and the ones devices may push
 * to, each described by its own domain's `<domain>-sync.ts`. A new synced type adds its line
 * here (and, if devices push to it, its applier below), and nothing else changes.
 *
 * The two lists are apart so that bundles carry only what they use: the stream router and the
 * feed reader read the feed list alone, and esbuild, told the project's modules have no side
 * effects (`"sideEffects": false` in package.json), leaves the appliers and every domain rule
 * they import out of those bundles. The push list is built on first use for the same reason.
 */
export const syncedTypes: readonly FeedType[] = [watchlistFeed, progressFeed, favouriteFeed, queueFeed, datasetRecordFeed, inboxFeed, outboxFeed];

const pushTypes = (): readonly SyncedType[] => [
  { ...watchlistFeed, apply: watchlistApply },
  { ...progressFeed, apply: progressApply },
  { ...favouriteFeed, apply: favouriteApply },
  { ...queueFeed, apply: queueApply },
  { ...datasetRecordFeed, apply: datasetRecordApply },
];

const byEntity = new Map(syncedTypes.map((t) => [t.entity, t]));
const byType = new Map(syncedTypes.map((t) => [t.type, t]));

export const syncedTypeOfEntity = (entity: unknown): FeedType | undefined => (typeof entity === 'string' ? byEntity.get(entity) : undefined);
export const syncedTypeNamed = (type: string): FeedType | undefined => byType.get(type);

let pushable: Map<string, SyncedType> | undefined;
/** The type a device may push to under this name, with its applier. */
export function pushTypeNamed(type: string): SyncedType | undefined {
  pushable ??= new Map(pushTypes().map((t) => [t.type, t]));
  return pushable.get(type);
}
/** The names devices may push to, in registry order. */
export const pushableTypeNames = (): string[] => pushTypes().map((t) => t.type);
