import { nowIso } from '../shared/clock';
import { httpRoute } from '../shared/http';
import { episodePathSchema } from '../shared/ids';
import { requireScope } from '../shared/principal';
import { HttpProblem } from '../shared/problem';
import { CATALOG_WRITE_SCOPE } from './asset-schemas';
import { episodeWriteSchema, putEpisode } from './episode-store';
import { requireShow } from './show-rules';
import { getShow } from './show-store';

/** Episodes go only to a show that exists and is not deleted. */
export const handler = httpRoute({ params: episodePathSchema, body: episodeWriteSchema }, async ({ params, body, principal }) => {
  requireScope(principal, CATALOG_WRITE_SCOPE);
  requireShow(await getShow(params.showId), params.showId, 'live');
  const episode = await putEpisode(params.showId, params.episodeId, body, nowIso());
  if (episode === 'in-other-show') throw new HttpProblem('episode-in-other-show', `Episode ${params.episodeId} belongs to another show.`);
  if ('taken' in episode) {
    throw new HttpProblem('guid-taken', `Episode ${episode.holder} of this show already has this guid.`, { errors: [{ field: 'body.guid', message: 'is the guid of another episode of this show' }] });
  }
  return { body: episode };
});
