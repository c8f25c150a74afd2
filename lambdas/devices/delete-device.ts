import { httpRoute } from '../shared/http';
import { devicePathSchema } from './device-schemas';
import { removeDevice } from './device-store';

/** Logout: the device takes no more pushes. Answers 200 whether or not it was registered. */
export const handler = httpRoute({ params: devicePathSchema }, async ({ params, principal }) => {
  await removeDevice(principal.userId, params.deviceId);
  return { body: { deviceId: params.deviceId } };
});
