import { nowIso } from '../shared/clock';
import { httpRoute } from '../shared/http';
import { expectedVersionOf, recordReply } from './dataset-http';
import { refusal } from './dataset-rules';
import { MAX_RECORD_BODY_BYTES } from './dataset-limits';
import { recordPathSchema, recordWriteSchema } from './dataset-schemas';
import { putRecord } from './dataset-store';

export const handler = httpRoute(
  { params: recordPathSchema, body: recordWriteSchema, maxBodyBytes: MAX_RECORD_BODY_BYTES },
  async ({ params, body, principal, event }) => {
    const result = await putRecord(principal.userId, params.dataset, params.key, body.value, expectedVersionOf(event), nowIso());
    if (result.outcome !== 'written') throw refusal(result, params.dataset);
    return recordReply(result.record);
  },
);
