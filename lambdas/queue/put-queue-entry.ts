import { nowIso } from '../shared/clock';
import { httpRoute } from '../shared/http';
import { episodeIdPathSchema } from '../shared/ids';
import { changeQueueEntry } from './queue-rules';
import { putQueueEntrySchema } from './queue-schemas';

/** Adds the episode (again, if it was finished or removed) or moves it, optionally with where playback stands. */
export const handler = httpRoute({ params: episodeIdPathSchema, body: putQueueEntrySchema }, async ({ params, body, principal }) => {
  const now = nowIso();
  const playback = body?.playbackSeconds === undefined ? undefined : { seconds: body.playbackSeconds, at: now };
  return { body: await changeQueueEntry(principal.userId, params.episodeId, { position: body?.position, playback, add: true }, now) };
});
