import type { Alongside } from '../shared/atomic-writes';
import { setApplier } from '../shared/sync-appliers';
import type { SyncedType } from '../shared/sync-contract';
import { type Favourite, favouriteFeed } from './favourite-item';
import { followShow } from './favourite-rules';
import { removeFavourite } from './favourite-store';

/** Followed shows in sync pushes: a set of shows. */
export const favouriteSync: SyncedType = {
  ...favouriteFeed,
  apply: setApplier('favourite', 'show', (context, id, alongside: Alongside<Favourite>) => followShow(context.principal.userId, id, context.now, alongside), removeFavourite),
};
