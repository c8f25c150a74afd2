import { nowIso } from '../shared/clock';
import { httpRoute } from '../shared/http';
import { showPathSchema } from '../shared/ids';
import { requireScope } from '../shared/principal';
import { CATALOG_WRITE_SCOPE } from './asset-schemas';
import { requireShow } from './show-rules';
import { softDeleteShow } from './show-store';

export const handler = httpRoute({ params: showPathSchema }, async ({ params, principal }) => {
  requireScope(principal, CATALOG_WRITE_SCOPE);
  return { body: requireShow(await softDeleteShow(params.showId, nowIso()), params.showId) };
});
