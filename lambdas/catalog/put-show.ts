import { nowIso } from '../shared/clock';
import { httpRoute } from '../shared/http';
import { showPathSchema } from '../shared/ids';
import { requireScope } from '../shared/principal';
import { CATALOG_WRITE_SCOPE } from './asset-schemas';
import { putShow, showWriteSchema } from './show-store';

export const handler = httpRoute({ params: showPathSchema, body: showWriteSchema }, async ({ params, body, principal }) => {
  requireScope(principal, CATALOG_WRITE_SCOPE);
  return { body: await putShow(params.showId, body, nowIso()) };
});
