import { catalogReader } from '../catalog/catalog-reader';
import { nowIso } from '../shared/clock';
import { httpRoute } from '../shared/http';
import { assetPathSchema } from '../shared/ids';
import { addPlayableToWatchlist } from './watchlist-rules';

export const handler = httpRoute({ params: assetPathSchema }, async ({ params, principal }) => ({
  body: await addPlayableToWatchlist(principal, params.assetId, nowIso(), undefined, catalogReader.asset),
}));
