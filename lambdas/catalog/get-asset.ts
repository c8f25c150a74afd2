import { httpRoute } from '../shared/http';
import { assetPathSchema } from '../shared/ids';
import { getAsset } from './asset-store';
import { requireAsset } from './availability';

/** Deleted assets are still returned, with `deletedAt`, so clients learn of the deletion. */
export const handler = httpRoute({ params: assetPathSchema }, async ({ params }) => {
  return { body: requireAsset(await getAsset(params.assetId), params.assetId) };
});
