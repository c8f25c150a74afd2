import { nowIso } from '../shared/clock';
import { httpRoute } from '../shared/http';
import { downloadLink } from './message-rules';
import { messagePathSchema } from './message-schemas';

/** A signed GET for the recipient only; the bytes come from S3, never through Lambda. */
export const handler = httpRoute({ params: messagePathSchema }, async ({ params, principal }) => ({
  body: await downloadLink(principal.userId, params.messageId, nowIso()),
}));
