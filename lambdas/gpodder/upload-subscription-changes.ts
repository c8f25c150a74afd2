import { registerDeviceOnUse } from './gpodder-device-store';
import { gpodderRoute } from './gpodder-http';
import { subscriptionChangesBody } from './gpodder-schemas';
import { nowSeconds } from './gpodder-time';
import { uploadTimestamp } from './read-marks';
import { changeSubscriptions } from './subscription-rules';

/**
 * `POST /gpodder/api/2/subscriptions/{username}/{deviceId}.json`: `{add, remove}` → `{timestamp,
 * update_urls}`. The timestamp is the one this credential last read (clients store it as their
 * next `since`), so changes other devices made between that read and this upload still reach it.
 */
export const handler = gpodderRoute({ body: subscriptionChangesBody }, async ({ caller, deviceId, body, nowMs }) => {
  const { updateUrls } = await changeSubscriptions(caller.userId, body.add, body.remove, nowMs);
  await registerDeviceOnUse(caller.userId, deviceId as string, new Date(nowMs).toISOString());
  const timestamp = await uploadTimestamp(caller.userId, caller.credentialId, 'subscriptions', nowSeconds(nowMs));
  return { json: { timestamp, update_urls: updateUrls } };
});
