import { nowIso } from '../shared/clock';
import { httpRoute } from '../shared/http';
import { assetPathSchema } from '../shared/ids';
import { requireScope } from '../shared/principal';
import { HttpProblem } from '../shared/problem';
import { softDeleteAsset } from './asset-store';
import { CATALOG_WRITE_SCOPE } from './asset-schemas';

export const handler = httpRoute({ params: assetPathSchema }, async ({ params, principal }) => {
  requireScope(principal, CATALOG_WRITE_SCOPE);
  const asset = await softDeleteAsset(params.assetId, nowIso());
  if (asset === undefined) throw new HttpProblem('asset-not-found', `There is no asset ${params.assetId}.`);
  return { body: asset };
});
