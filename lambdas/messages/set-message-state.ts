import { nowIso } from '../shared/clock';
import { httpRoute } from '../shared/http';
import { moveState } from './message-rules';
import { messagePathSchema, stateChangeSchema } from './message-schemas';

/** Only the recipient; 200 with the current state even when the call changed nothing. */
export const handler = httpRoute({ params: messagePathSchema, body: stateChangeSchema }, async ({ params, body, principal }) => ({
  body: await moveState(principal.userId, params.messageId, body.state, nowIso()),
}));
