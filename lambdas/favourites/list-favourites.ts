import { httpRoute } from '../shared/http';
import { decodeCursor, pagedReply, pageQuerySchema } from '../shared/paging';
import { isFavouriteSortKey } from './favourite-item';
import { listFavourites } from './favourite-store';

export const handler = httpRoute({ query: pageQuerySchema }, async ({ query, principal, event }) => {
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, isFavouriteSortKey);
  return pagedReply(event, query.limit, await listFavourites(principal.userId, query.limit, after));
});
