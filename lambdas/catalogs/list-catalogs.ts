import { httpRoute } from '../shared/http';
import { decodeCursor, pagedReply, pageQuerySchema } from '../shared/paging';
import { isCatalogIdSortKey, listCatalogs } from './catalog-store';

/** Any signed-in user may read curated catalogs. */
export const handler = httpRoute({ query: pageQuerySchema }, async ({ query, event }) => {
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, isCatalogIdSortKey);
  return pagedReply(event, query.limit, await listCatalogs(query.limit, after));
});
