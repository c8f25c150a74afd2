import { registerDeviceOnUse } from './gpodder-device-store';
import { gpodderRoute } from './gpodder-http';
import { sinceQuery } from './gpodder-schemas';
import { nowSeconds } from './gpodder-time';
import { noteRead } from './read-marks';
import { subscriptionChanges } from './subscription-rules';

/** `GET /gpodder/api/2/subscriptions/{username}/{deviceId}.json?since=`: the user's changes, from any device. */
export const handler = gpodderRoute({ query: sinceQuery }, async ({ caller, deviceId, query, nowMs }) => {
  const timestamp = nowSeconds(nowMs);
  const [since] = await Promise.all([
    noteRead(caller.userId, caller.credentialId, 'subscriptions', query.since, timestamp),
    registerDeviceOnUse(caller.userId, deviceId as string, new Date(nowMs).toISOString()),
  ]);
  const { add, remove } = await subscriptionChanges(caller.userId, since, nowMs);
  return { json: { add, remove, timestamp } };
});
