import { nowIso } from '../shared/clock';
import { httpRoute } from '../shared/http';
import { episodeIdPathSchema } from '../shared/ids';
import { changeQueueEntry } from './queue-rules';

/** Marks the entry removed: it stays, so no fetch brings the episode back. */
export const handler = httpRoute({ params: episodeIdPathSchema }, async ({ params, principal }) => ({
  body: await changeQueueEntry(principal.userId, params.episodeId, { state: 'removed', add: false }, nowIso()),
}));
