import { requirePlayable } from '../catalog/availability';
import { getAsset } from '../catalog/asset-store';
import { nowIso } from '../shared/clock';
import { httpRoute } from '../shared/http';
import { assetPathSchema } from '../shared/ids';
import { addToWatchlist } from './watchlist-store';

export const handler = httpRoute({ params: assetPathSchema }, async ({ params, principal }) => {
  requirePlayable(await getAsset(params.assetId), params.assetId, principal.country);
  return { body: await addToWatchlist(principal.userId, params.assetId, nowIso()) };
});
