import { nowIso } from '../shared/clock';
import { httpRoute } from '../shared/http';
import { assetPathSchema } from '../shared/ids';
import { requireScope } from '../shared/principal';
import { assetWriteSchema, CATALOG_WRITE_SCOPE } from './asset-schemas';
import { putAsset } from './asset-store';

export const handler = httpRoute({ params: assetPathSchema, body: assetWriteSchema }, async ({ params, body, principal }) => {
  requireScope(principal, CATALOG_WRITE_SCOPE);
  return { body: await putAsset(params.assetId, body, nowIso()) };
});
