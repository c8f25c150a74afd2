import { httpRoute } from '../shared/http';
import { diffCatalog, missingCursorKey } from './catalog-diff';
import { readWholeCatalog } from './catalog-member-store';
import { requireCatalog } from './catalog-rules';
import { MAX_DIFF_BODY_BYTES } from './catalog-limits';
import { catalogPathSchema, diffRequestSchema } from './catalog-schemas';

/** Any signed-in user may diff: a POST only because 10,000 keys do not fit in a URL. It writes nothing. */
export const handler = httpRoute({ params: catalogPathSchema, body: diffRequestSchema, maxBodyBytes: MAX_DIFF_BODY_BYTES }, async ({ params, body }) => {
  const missingAfter = body.cursor === undefined ? undefined : missingCursorKey(body.cursor);
  const readAt = Date.now();
  const catalog = requireCatalog(await readWholeCatalog(params.catalogId), params.catalogId);
  return { body: diffCatalog(catalog.members, { keys: body.keys, since: body.since, missingAfter }, readAt) };
});
