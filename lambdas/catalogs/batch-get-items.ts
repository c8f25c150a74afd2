import { httpRoute } from '../shared/http';
import { batchGetContent } from './content-batch-get';
import { batchGetSchema } from './catalog-schemas';

/** Any signed-in user: the metadata of just these items, deleted ones included (with `deletedAt`). */
export const handler = httpRoute({ body: batchGetSchema }, async ({ body }) => ({ body: await batchGetContent(body.keys.map((k) => k.key)) }));
