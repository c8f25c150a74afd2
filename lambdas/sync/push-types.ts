import { datasetRecordSync } from '../datasets/dataset-sync';
import { favouriteSync } from '../favourites/favourite-sync';
import { progressSync } from '../progress/progress-sync';
import { queueSync } from '../queue/queue-sync';
import type { SyncedType } from '../shared/sync-contract';
import { watchlistSync } from '../watchlist/watchlist-sync';

/** The feed types devices may push to, with their appliers; only the push route imports this list. */
export const pushTypes: readonly SyncedType[] = [watchlistSync, progressSync, favouriteSync, queueSync, datasetRecordSync];

const byType = new Map(pushTypes.map((t) => [t.type, t]));

export const pushTypeNamed = (type: string): SyncedType | undefined => byType.get(type);
export const pushableTypes: readonly string[] = pushTypes.map((t) => t.type);
