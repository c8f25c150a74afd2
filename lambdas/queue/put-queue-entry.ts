import { nowIso } from '../shared/clock';
import { httpRoute } from '../shared/http';
import { episodeIdPathSchema } from '../shared/ids';
import { changeQueueEntry } from './queue-rules';
import { putQueueEntrySchema } from './queue-schemas';

/** Adds the episode (again, if it was finished or removed) or moves it. */
export const handler = httpRoute({ params: episodeIdPathSchema, body: putQueueEntrySchema }, async ({ params, body, principal }) => ({
  body: await changeQueueEntry(principal.userId, params.episodeId, { position: body?.position, add: true }, nowIso()),
}));
