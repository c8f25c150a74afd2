import { httpRoute } from '../shared/http';
import { requireSession, sessionPathSchema } from './session-access';
import { completeSession } from './session-store';

/** The only step that moves the device's stored position (to the session's `until`). */
export const handler = httpRoute({ params: sessionPathSchema }, async ({ params, principal }) => {
  const now = Date.now();
  const session = await requireSession(principal.userId, params.sessionId, now);
  const { position } = await completeSession(principal.userId, session, now);
  return { body: { sessionId: session.sessionId, deviceId: session.deviceId, position } };
});
