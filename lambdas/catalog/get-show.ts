import { httpRoute } from '../shared/http';
import { showPathSchema } from '../shared/ids';
import { HttpProblem } from '../shared/problem';
import { getShow } from './show-store';

/** Deleted shows are still returned, with `deletedAt`, so clients learn of the deletion. */
export const handler = httpRoute({ params: showPathSchema }, async ({ params }) => {
  const show = await getShow(params.showId);
  if (show === undefined) throw new HttpProblem('show-not-found', `There is no show ${params.showId}.`);
  return { body: show };
});
