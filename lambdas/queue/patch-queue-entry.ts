import { nowIso } from '../shared/clock';
import { httpRoute } from '../shared/http';
import { episodeIdPathSchema } from '../shared/ids';
import { changeQueueEntry } from './queue-rules';
import { patchQueueEntrySchema } from './queue-schemas';

export const handler = httpRoute({ params: episodeIdPathSchema, body: patchQueueEntrySchema }, async ({ params, body, principal }) => ({
  body: await changeQueueEntry(principal.userId, params.episodeId, { state: body.state, position: body.position, add: false }, nowIso()),
}));
