import { nowIso } from '../shared/clock';
import { httpRoute } from '../shared/http';
import { infoPacketFor } from './info-packet';

/** The info packet, as a poll; the push carries the same (lambdas/stream-router). */
export const handler = httpRoute({}, async ({ principal }) => ({ body: await infoPacketFor(principal.userId, nowIso()) }));
