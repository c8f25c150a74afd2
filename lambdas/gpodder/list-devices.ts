import { gpodderRoute } from './gpodder-http';
import { listDevices } from './gpodder-device-store';
import { subscribedUrls } from './subscription-rules';

/** `GET /gpodder/api/2/devices/{username}.json`: every device sees the user's one subscription set, so each counts all of it. */
export const handler = gpodderRoute({}, async ({ caller, nowMs }) => {
  const [devices, urls] = await Promise.all([listDevices(caller.userId), subscribedUrls(caller.userId, nowMs)]);
  return { json: devices.map((d) => ({ id: d.deviceId, caption: d.caption, type: d.type, subscriptions: urls.length })) };
});
