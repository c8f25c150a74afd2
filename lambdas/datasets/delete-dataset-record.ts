import { nowIso } from '../shared/clock';
import { httpRoute } from '../shared/http';
import { expectedVersionOf } from './dataset-http';
import { refusal } from './dataset-rules';
import { recordPathSchema } from './dataset-schemas';
import { deleteRecord } from './dataset-store';

/** 200 whether or not the record existed, unless If-Match names a version it is not at. */
export const handler = httpRoute({ params: recordPathSchema }, async ({ params, principal, event }) => {
  const result = await deleteRecord(principal.userId, params.dataset, params.key, expectedVersionOf(event), nowIso());
  if (result.outcome === 'version-mismatch') throw refusal(result, params.dataset);
  return { body: { dataset: params.dataset, key: params.key } };
});
