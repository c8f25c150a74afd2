import * as z from 'zod';
import { httpRoute } from '../shared/http';
import { sessionView } from './session-access';
import { openSession } from './session-store';
import { deviceIdSchema } from './sync-session-item';

export const handler = httpRoute({ body: z.strictObject({ deviceId: deviceIdSchema }) }, async ({ body, principal }) => ({
  status: 201,
  body: sessionView(await openSession(principal.userId, body.deviceId, Date.now())),
}));
