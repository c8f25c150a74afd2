import { nowIso } from '../shared/clock';
import { httpRoute } from '../shared/http';
import { showPathSchema } from '../shared/ids';
import { decodeCursor, encodeCursor, nextLinkHeader, pageQuerySchema } from '../shared/paging';
import { HttpProblem } from '../shared/problem';
import { isEpisodeSortKey, listPublishedEpisodes } from './episode-store';
import { getShow } from './show-store';

/** Published episodes, newest first; scheduled (future `publishedAt`) and unpublished ones are left out. */
export const handler = httpRoute({ params: showPathSchema, query: pageQuerySchema }, async ({ params, query, event }) => {
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, isEpisodeSortKey);
  const show = await getShow(params.showId);
  if (show === undefined) throw new HttpProblem('show-not-found', `There is no show ${params.showId}.`);
  const page = await listPublishedEpisodes(params.showId, nowIso(), query.limit, { after });
  return { body: page.episodes, headers: nextLinkHeader(event, query.limit, page.after === undefined ? undefined : encodeCursor(page.after)) };
});
