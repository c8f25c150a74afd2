import { httpRoute } from '../shared/http';
import { assetPathSchema } from '../shared/ids';
import { removeFromWatchlist } from './watchlist-store';

/** Always 200, present or not, and no catalog look-up: a deleted asset can still be removed. */
export const handler = httpRoute({ params: assetPathSchema }, async ({ params, principal }) => {
  await removeFromWatchlist(principal.userId, params.assetId);
  return { body: { asset: params.assetId } };
});
