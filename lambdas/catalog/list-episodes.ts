import { catalogReader } from './catalog-reader';
import { nowIso } from '../shared/clock';
import { httpRoute } from '../shared/http';
import { showPathSchema } from '../shared/ids';
import { decodeCursor, encodeCursor, nextLinkHeader, pageQuerySchema } from '../shared/paging';
import { isEpisodeSortKey, listPublishedEpisodes } from './episode-store';
import { requireShow } from './show-rules';

/** Published episodes, newest first; scheduled (future `publishedAt`) and unpublished ones are left out. */
export const handler = httpRoute({ params: showPathSchema, query: pageQuerySchema }, async ({ params, query, event }) => {
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, isEpisodeSortKey);
  requireShow(await catalogReader.show(params.showId), params.showId);
  const page = await listPublishedEpisodes(params.showId, nowIso(), query.limit, { after });
  return { body: page.episodes, headers: nextLinkHeader(event, query.limit, page.after === undefined ? undefined : encodeCursor(page.after)) };
});
