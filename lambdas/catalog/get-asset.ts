import { httpRoute } from '../shared/http';
import { assetPathSchema } from '../shared/ids';
import { HttpProblem } from '../shared/problem';
import { getAsset } from './asset-store';

/** Deleted assets are still returned, with `deletedAt`, so clients learn of the deletion. */
export const handler = httpRoute({ params: assetPathSchema }, async ({ params }) => {
  const asset = await getAsset(params.assetId);
  if (asset === undefined) throw new HttpProblem('asset-not-found', `There is no asset ${params.assetId}.`);
  return { body: asset };
});
