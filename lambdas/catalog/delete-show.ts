import { nowIso } from '../shared/clock';
import { httpRoute } from '../shared/http';
import { showPathSchema } from '../shared/ids';
import { requireScope } from '../shared/principal';
import { HttpProblem } from '../shared/problem';
import { CATALOG_WRITE_SCOPE } from './asset-schemas';
import { softDeleteShow } from './show-store';

export const handler = httpRoute({ params: showPathSchema }, async ({ params, principal }) => {
  requireScope(principal, CATALOG_WRITE_SCOPE);
  const show = await softDeleteShow(params.showId, nowIso());
  if (show === undefined) throw new HttpProblem('show-not-found', `There is no show ${params.showId}.`);
  return { body: show };
});
