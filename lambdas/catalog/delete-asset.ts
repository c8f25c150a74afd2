import { nowIso } from '../shared/clock';
import { httpRoute } from '../shared/http';
import { assetPathSchema } from '../shared/ids';
import { requireScope } from '../shared/principal';
import { softDeleteAsset } from './asset-store';
import { CATALOG_WRITE_SCOPE } from './asset-schemas';
import { requireAsset } from './availability';

export const handler = httpRoute({ params: assetPathSchema }, async ({ params, principal }) => {
  requireScope(principal, CATALOG_WRITE_SCOPE);
  return { body: requireAsset(await softDeleteAsset(params.assetId, nowIso()), params.assetId) };
});
