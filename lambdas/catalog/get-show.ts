import { httpRoute } from '../shared/http';
import { showPathSchema } from '../shared/ids';
import { requireShow } from './show-rules';
import { getShow } from './show-store';

/** Deleted shows are still returned, with `deletedAt`, so clients learn of the deletion. */
export const handler = httpRoute({ params: showPathSchema }, async ({ params }) => {
  return { body: requireShow(await getShow(params.showId), params.showId) };
});
