import * as z from 'zod';
import { HttpProblem } from '../shared/problem';
import { getSession } from './session-store';
import { type SyncSession, sessionIdSchema } from './sync-session-item';

export const sessionPathSchema = z.strictObject({ sessionId: sessionIdSchema });

/** Another user's session answers exactly like an unknown one: 404, nothing revealed. */
export async function requireSession(userId: string, sessionId: string, nowMs: number): Promise<SyncSession> {
  const session = await getSession(userId, sessionId, nowMs);
  if (!session) throw new HttpProblem('session-not-found', `There is no live session ${sessionId}; open a new one.`);
  return session;
}

/** The public view of a session. */
export const sessionView = (session: SyncSession) => ({
  sessionId: session.sessionId,
  deviceId: session.deviceId,
  since: session.since,
  until: session.until,
  expiresAt: new Date(session.expiresAtMs).toISOString(),
});
