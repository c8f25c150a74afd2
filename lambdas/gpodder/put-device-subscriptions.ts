import { registerDeviceOnUse } from './gpodder-device-store';
import { gpodderRoute } from './gpodder-http';
import { subscriptionListBody } from './gpodder-schemas';
import { replaceSubscriptions } from './subscription-rules';

/**
 * `PUT /gpodder/subscriptions/{username}/{deviceId}.{json,txt}`: the simple API's "this is my
 * list", applied as the difference to the user's set. An empty 200 is its only success
 * (mygpoclient reads anything else as a failure).
 */
export const handler = gpodderRoute({ formats: ['json', 'txt'], body: subscriptionListBody, textBody: true }, async ({ caller, deviceId, body, nowMs }) => {
  await replaceSubscriptions(caller.userId, body, nowMs);
  await registerDeviceOnUse(caller.userId, deviceId as string, new Date(nowMs).toISOString());
  return { empty: true };
});
