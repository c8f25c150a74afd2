import { readUploadedActions } from './episode-action-input';
import { recordActions } from './episode-action-rules';
import { gpodderRoute } from './gpodder-http';
import { episodeActionsBody } from './gpodder-schemas';
import { nowSeconds } from './gpodder-time';
import { uploadTimestamp } from './read-marks';
import type { UrlRewrite } from './subscription-rules';

/** `POST /gpodder/api/2/episodes/{username}.json`: `[action, …]` → `{timestamp, update_urls}` (AntennaPod needs `update_urls` here too). */
export const handler = gpodderRoute({ body: episodeActionsBody }, async ({ caller, body, nowMs }) => {
  const updateUrls: UrlRewrite[] = [];
  await recordActions(caller.userId, readUploadedActions(body, nowMs, updateUrls), nowMs);
  const timestamp = await uploadTimestamp(caller.userId, caller.credentialId, 'episodes', nowSeconds(nowMs));
  return { json: { timestamp, update_urls: updateUrls } };
});
