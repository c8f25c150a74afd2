import { nowIso } from '../shared/clock';
import { httpRoute } from '../shared/http';
import { episodeIdPathSchema } from '../shared/ids';
import { changeQueueEntry } from './queue-rules';
import { patchQueueEntrySchema } from './queue-schemas';

/** A playback position sent here is the user's own, as of now. */
export const handler = httpRoute({ params: episodeIdPathSchema, body: patchQueueEntrySchema }, async ({ params, body, principal }) => {
  const now = nowIso();
  const playback = body.playbackSeconds === undefined ? undefined : { seconds: body.playbackSeconds, at: now };
  return { body: await changeQueueEntry(principal.userId, params.episodeId, { state: body.state, position: body.position, playback, add: false }, now) };
});
