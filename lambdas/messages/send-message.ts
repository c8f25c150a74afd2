import { nowIso } from '../shared/clock';
import { httpRoute } from '../shared/http';
import { sendMessage } from './message-rules';
import { newMessageSchema } from './message-schemas';

export const handler = httpRoute({ body: newMessageSchema }, async ({ body, principal }) => ({
  status: 201,
  body: await sendMessage(principal.userId, body, nowIso()),
}));
