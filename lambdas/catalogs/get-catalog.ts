import { httpRoute } from '../shared/http';
import { catalogPathSchema } from './catalog-schemas';
import { requireCatalog } from './catalog-rules';
import { getCatalog } from './catalog-store';

export const handler = httpRoute({ params: catalogPathSchema }, async ({ params }) => {
  return { body: requireCatalog(await getCatalog(params.catalogId, { consistent: false }), params.catalogId) };
});
