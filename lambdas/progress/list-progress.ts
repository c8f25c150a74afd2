import { httpRoute } from '../shared/http';
import { decodeCursor, pagedReply, pageQuerySchema } from '../shared/paging';
import { isProgressSortKey } from './progress-item';
import { listProgress } from './progress-store';

export const handler = httpRoute({ query: pageQuerySchema }, async ({ query, principal, event }) => {
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, isProgressSortKey);
  return pagedReply(event, query.limit, await listProgress(principal.userId, query.limit, after));
});
