import { httpRoute } from '../shared/http';
import { decodeCursor, pagedReply, pageQuerySchema } from '../shared/paging';
import { isWatchlistSortKey } from './watchlist-item';
import { listWatchlist } from './watchlist-store';

export const handler = httpRoute({ query: pageQuerySchema }, async ({ query, principal, event }) => {
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, isWatchlistSortKey);
  return pagedReply(event, query.limit, await listWatchlist(principal.userId, query.limit, after));
});
