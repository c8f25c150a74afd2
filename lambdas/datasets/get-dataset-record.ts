import { httpRoute } from '../shared/http';
import { HttpProblem } from '../shared/problem';
import { recordReply } from './dataset-http';
import { recordPathSchema } from './dataset-schemas';
import { getRecord } from './dataset-store';

export const handler = httpRoute({ params: recordPathSchema }, async ({ params, principal }) => {
  const record = await getRecord(principal.userId, params.dataset, params.key);
  if (record === undefined) throw new HttpProblem('record-not-found', `Dataset ${params.dataset} has no record ${params.key}.`);
  return recordReply(record);
});
