import { gpodderRoute } from './gpodder-http';
import { updateDevice } from './gpodder-device-store';
import { deviceSettingsBody } from './gpodder-schemas';

/** `POST /gpodder/api/2/devices/{username}/{deviceId}.json`: creates the device or changes the given settings; an empty 200, which mygpoclient takes for success. */
export const handler = gpodderRoute({ body: deviceSettingsBody }, async ({ caller, deviceId, body, nowMs }) => {
  await updateDevice(caller.userId, deviceId as string, { caption: body?.caption, type: body?.type }, new Date(nowMs).toISOString());
  return { empty: true };
});
