import { httpRoute } from '../shared/http';
import { decodeCursor, pagedReply, pageQuerySchema } from '../shared/paging';
import { isRecordSortKeyOf } from './dataset-item';
import { datasetPathSchema } from './dataset-schemas';
import { listRecords } from './dataset-store';

export const handler = httpRoute({ params: datasetPathSchema, query: pageQuerySchema }, async ({ params, query, principal, event }) => {
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, isRecordSortKeyOf(params.dataset));
  return pagedReply(event, query.limit, await listRecords(principal.userId, params.dataset, query.limit, after));
});
