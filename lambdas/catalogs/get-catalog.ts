import { httpRoute } from '../shared/http';
import { HttpProblem } from '../shared/problem';
import { catalogPathSchema } from './catalog-schemas';
import { getCatalog } from './catalog-store';

export const handler = httpRoute({ params: catalogPathSchema }, async ({ params }) => {
  const catalog = await getCatalog(params.catalogId, { consistent: false });
  if (catalog === undefined) throw new HttpProblem('catalog-not-found', `There is no catalog ${params.catalogId}.`);
  return { body: catalog };
});
