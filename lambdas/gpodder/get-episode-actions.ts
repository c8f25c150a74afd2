import { episodeActionsSince } from './episode-action-rules';
import { gpodderRoute } from './gpodder-http';
import { episodeQuery } from './gpodder-schemas';
import { nowSeconds } from './gpodder-time';
import { noteRead } from './read-marks';

/**
 * `GET /gpodder/api/2/episodes/{username}.json?since=[&aggregated=][&podcast=][&device=]`.
 * Always aggregated (one play and one other action per episode, the newest), so `aggregated`
 * changes nothing; all devices share the state, so `device` selects nothing either.
 */
export const handler = gpodderRoute({ query: episodeQuery }, async ({ caller, query, nowMs }) => {
  const timestamp = nowSeconds(nowMs);
  const since = await noteRead(caller.userId, caller.credentialId, 'episodes', query.since, timestamp);
  const actions = await episodeActionsSince(caller.userId, since, nowMs, query.podcast);
  return { json: { actions, timestamp } };
});
