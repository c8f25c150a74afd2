import { httpRoute } from '../shared/http';
import { assetPathSchema } from '../shared/ids';
import { deleteProgress } from './progress-store';

/** Always 200 and no catalog look-up: the title simply starts from 0 next time. */
export const handler = httpRoute({ params: assetPathSchema }, async ({ params, principal }) => {
  await deleteProgress(principal.userId, params.assetId);
  return { body: { asset: params.assetId } };
});
