import { nowIso } from '../shared/clock';
import { httpRoute } from '../shared/http';
import { episodePathSchema } from '../shared/ids';
import { requireScope } from '../shared/principal';
import { CATALOG_WRITE_SCOPE } from './asset-schemas';
import { episodeOfShow } from './episode-lookup';
import { getEpisode, softDeleteEpisode } from './episode-store';

/** Unpublishes: the episode leaves the show's list and every queue that holds it learns so. */
export const handler = httpRoute({ params: episodePathSchema }, async ({ params, principal }) => {
  requireScope(principal, CATALOG_WRITE_SCOPE);
  // A publisher's check before a write reads the table, never a cached copy.
  await episodeOfShow(getEpisode, params.showId, params.episodeId);
  return { body: await softDeleteEpisode(params.episodeId, nowIso()) };
});
