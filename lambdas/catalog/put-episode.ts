import { nowIso } from '../shared/clock';
import { httpRoute } from '../shared/http';
import { episodePathSchema } from '../shared/ids';
import { requireScope } from '../shared/principal';
import { HttpProblem } from '../shared/problem';
import { CATALOG_WRITE_SCOPE } from './asset-schemas';
import { episodeWriteSchema, putEpisode } from './episode-store';
import { getShow } from './show-store';

/** Episodes go only to a show that exists and is not deleted. */
export const handler = httpRoute({ params: episodePathSchema, body: episodeWriteSchema }, async ({ params, body, principal }) => {
  requireScope(principal, CATALOG_WRITE_SCOPE);
  const show = await getShow(params.showId);
  if (show === undefined || show.deletedAt !== undefined) throw new HttpProblem('show-not-found', `There is no show ${params.showId}.`);
  const episode = await putEpisode(params.showId, params.episodeId, body, nowIso());
  if (episode === 'in-other-show') throw new HttpProblem('episode-in-other-show', `Episode ${params.episodeId} belongs to another show.`);
  return { body: episode };
});
