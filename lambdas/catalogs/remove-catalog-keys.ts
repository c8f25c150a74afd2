import { CATALOG_WRITE_SCOPE } from '../catalog/asset-schemas';
import { nowIso } from '../shared/clock';
import { httpRoute } from '../shared/http';
import { requireScope } from '../shared/principal';
import { removeKeys } from './catalog-membership';
import { catalogPathSchema, keysChangeSchema } from './catalog-schemas';

export const handler = httpRoute({ params: catalogPathSchema, body: keysChangeSchema }, async ({ params, body, principal }) => {
  requireScope(principal, CATALOG_WRITE_SCOPE);
  return { body: await removeKeys(params.catalogId, body.keys, nowIso()) };
});
