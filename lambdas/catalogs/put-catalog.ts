import { CATALOG_WRITE_SCOPE } from '../catalog/asset-schemas';
import { nowIso } from '../shared/clock';
import { httpRoute } from '../shared/http';
import { requireScope } from '../shared/principal';
import { catalogPathSchema, catalogWriteSchema } from './catalog-schemas';
import { putCatalog } from './catalog-store';

/** Creates or replaces a catalog's name and description; its members are left alone. */
export const handler = httpRoute({ params: catalogPathSchema, body: catalogWriteSchema }, async ({ params, body, principal }) => {
  requireScope(principal, CATALOG_WRITE_SCOPE);
  return { body: await putCatalog(params.catalogId, body, nowIso()) };
});
