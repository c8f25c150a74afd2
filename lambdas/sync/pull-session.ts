import * as z from 'zod';
import { httpRoute } from '../shared/http';
import { pageLimitSchema } from '../shared/paging';
import { readChanges } from './feed-reader';
import { requireSession, sessionPathSchema } from './session-access';

const pullQuerySchema = z.strictObject({ cursor: z.string().max(2048).optional(), limit: pageLimitSchema });

/** Pages of the session's window (since, until]; records this device created carry their localId. */
export const handler = httpRoute({ params: sessionPathSchema, query: pullQuerySchema }, async ({ params, query, principal }) => {
  const now = Date.now();
  const session = await requireSession(principal.userId, params.sessionId, now);
  const start =
    session.since === null
      ? { seq: session.until, slot: session.untilSlot, issuedAt: session.sinceIssuedAt, snapshotAfter: '' }
      : { seq: session.since, slot: session.sinceSlot, issuedAt: session.sinceIssuedAt };
  return {
    body: await readChanges(principal.userId, query.cursor, query.limit, { start, upToSeq: session.until, deviceId: session.deviceId, now }),
  };
});
