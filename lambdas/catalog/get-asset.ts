import { httpRoute } from '../shared/http';
import { assetPathSchema } from '../shared/ids';
import { requireAsset } from './availability';
import { catalogReader } from './catalog-reader';

/** Deleted assets are still returned, with `deletedAt`, so clients learn of the deletion. */
export const handler = httpRoute({ params: assetPathSchema }, async ({ params }) => {
  return { body: requireAsset(await catalogReader.asset(params.assetId), params.assetId) };
});
