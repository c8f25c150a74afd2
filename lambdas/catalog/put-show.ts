import { nowIso } from '../shared/clock';
import { httpRoute } from '../shared/http';
import { showPathSchema } from '../shared/ids';
import { requireScope } from '../shared/principal';
import { HttpProblem } from '../shared/problem';
import { CATALOG_WRITE_SCOPE } from './asset-schemas';
import { putShow, showWriteSchema } from './show-store';

export const handler = httpRoute({ params: showPathSchema, body: showWriteSchema }, async ({ params, body, principal }) => {
  requireScope(principal, CATALOG_WRITE_SCOPE);
  const show = await putShow(params.showId, body, nowIso());
  if ('taken' in show) {
    throw new HttpProblem('feed-url-taken', `Show ${show.holder} already has this feed URL.`, {
      errors: [{ field: 'body.feedUrl', message: 'is the feed URL of another show' }],
    });
  }
  return { body: show };
});
