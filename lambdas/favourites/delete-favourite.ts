import { httpRoute } from '../shared/http';
import { showPathSchema } from '../shared/ids';
import { removeFavourite } from './favourite-store';

/** Always 200, present or not, and no catalog look-up: a deleted show can still be unfollowed. */
export const handler = httpRoute({ params: showPathSchema }, async ({ params, principal }) => {
  await removeFavourite(principal.userId, params.showId);
  return { body: { show: params.showId } };
});
