import { httpRoute } from '../shared/http';
import { assetPathSchema } from '../shared/ids';
import { HttpProblem } from '../shared/problem';
import { getProgress } from './progress-store';

export const handler = httpRoute({ params: assetPathSchema }, async ({ params, principal }) => {
  const entry = await getProgress(principal.userId, params.assetId);
  if (entry === undefined) throw new HttpProblem('progress-not-found', `No progress for asset ${params.assetId}.`);
  return { body: entry };
});
