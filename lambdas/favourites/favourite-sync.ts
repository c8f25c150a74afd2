import type { Alongside } from '../shared/atomic-writes';
import { setApplier } from '../shared/sync-appliers';
import type { FeedType, MutationApplier } from '../shared/sync-contract';
import { FAVOURITE_ENTITY, FAVOURITE_SORT_PREFIX, type Favourite, favouriteFromItem, favouriteItemSchema } from './favourite-item';
import { followShow } from './favourite-rules';
import { removeFavourite } from './favourite-store';

/** Followed shows in the change feed: a set of shows. */
export const favouriteFeed: FeedType = {
  type: 'favourite',
  entity: FAVOURITE_ENTITY,
  sortPrefix: FAVOURITE_SORT_PREFIX,
  keyOf: (item) => favouriteItemSchema.parse(item).showId,
  viewOf: favouriteFromItem,
};

/** Pushes to followed shows: a set of shows. */
export const favouriteApply: MutationApplier = /* @__PURE__ */ setApplier(
  'favourite',
  'show',
  (context, id, alongside: Alongside<Favourite>) => followShow(context.principal.userId, id, context.now, alongside),
  removeFavourite,
);
