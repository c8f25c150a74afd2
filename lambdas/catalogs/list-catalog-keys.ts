import { httpRoute } from '../shared/http';
import { decodeCursor, pagedReply, pageQuerySchema } from '../shared/paging';
import { isMemberSortKey, listMembers } from './catalog-member-store';
import { catalogPathSchema } from './catalog-schemas';
import { requireCatalog } from './catalog-rules';
import { getCatalog } from './catalog-store';

/** Every member, removed ones too (with `removedAt`), by key. The cursor is checked before the catalog is looked up. */
export const handler = httpRoute({ params: catalogPathSchema, query: pageQuerySchema }, async ({ params, query, event }) => {
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, isMemberSortKey);
  const [catalog, page] = await Promise.all([getCatalog(params.catalogId, { consistent: false }), listMembers(params.catalogId, query.limit, after)]);
  requireCatalog(catalog, params.catalogId);
  return pagedReply(event, query.limit, page);
});
