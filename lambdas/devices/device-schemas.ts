import * as z from 'zod';
import { deviceIdSchema } from '../sync/sync-session-item';
import { apnsEnvironments, platforms } from './device-item';

/** The same device id a device uses for its sync sessions. */
export const devicePathSchema = z.strictObject({ deviceId: deviceIdSchema });

/**
 * An APNs device token is hex (32 bytes today; Apple says not to rely on the length), stored
 * in lower case. An FCM registration token is URL-safe text, about 160 characters today.
 */
const APNS_TOKEN = /^(?:[0-9a-fA-F]{2}){32,100}$/;
const FCM_TOKEN = /^[A-Za-z0-9_:.-]{32,1024}$/;

export const registrationBodySchema = z
  .strictObject({
    platform: z.enum(platforms),
    token: z.string(),
    environment: z.enum(apnsEnvironments).optional(),
  })
  .superRefine((body, context) => {
    if (body.platform === 'ios' && !APNS_TOKEN.test(body.token)) {
      context.addIssue({ code: 'custom', path: ['token'], message: 'an iOS token must be 64-200 hexadecimal characters (an even number)' });
    }
    if (body.platform === 'android' && !FCM_TOKEN.test(body.token)) {
      context.addIssue({ code: 'custom', path: ['token'], message: 'an Android token must be 32-1024 characters of A-Z a-z 0-9 _ : . -' });
    }
    if (body.platform === 'android' && body.environment !== undefined) {
      context.addIssue({ code: 'custom', path: ['environment'], message: 'environment is for iOS devices only (APNs sandbox or production)' });
    }
  })
  .transform((body) => ({
    platform: body.platform,
    token: body.platform === 'ios' ? body.token.toLowerCase() : body.token,
    environment: body.environment ?? ('production' as const),
  }));
