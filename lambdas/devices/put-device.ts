import { nowIso } from '../shared/clock';
import { httpRoute } from '../shared/http';
import { HttpProblem } from '../shared/problem';
import { MAX_DEVICES_PER_USER, deviceView } from './device-item';
import { devicePathSchema, registrationBodySchema } from './device-schemas';
import { registerDevice } from './device-store';

/** Apps call this at every launch: it renews the device's 60 days and moves the token to this user. */
export const handler = httpRoute({ params: devicePathSchema, body: registrationBodySchema }, async ({ params, body, principal }) => {
  const outcome = await registerDevice({ userId: principal.userId, deviceId: params.deviceId, ...body }, nowIso());
  if (outcome === 'limit-reached') {
    throw new HttpProblem('device-limit-reached', `At most ${MAX_DEVICES_PER_USER} devices a user; remove one (DELETE /v1/devices/{deviceId}) first.`);
  }
  return { body: deviceView(outcome.device) };
});
