import { catalogReader } from './catalog-reader';
import { httpRoute } from '../shared/http';
import { showPathSchema } from '../shared/ids';
import { requireShow } from './show-rules';

/** Deleted shows are still returned, with `deletedAt`, so clients learn of the deletion. */
export const handler = httpRoute({ params: showPathSchema }, async ({ params }) => {
  return { body: requireShow(await catalogReader.show(params.showId), params.showId) };
});
