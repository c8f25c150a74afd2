import { httpRoute } from '../shared/http';
import { decodeCursor, pagedReply, pageQuerySchema } from '../shared/paging';
import { isDatasetMetaSortKey } from './dataset-item';
import { listDatasets } from './dataset-store';

export const handler = httpRoute({ query: pageQuerySchema }, async ({ query, principal, event }) => {
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, isDatasetMetaSortKey);
  return pagedReply(event, query.limit, await listDatasets(principal.userId, query.limit, after));
});
