import * as z from 'zod';
import { deviceTypeOf, MAX_CAPTION_LENGTH } from './gpodder-device-store';

/** Lenient, as gpodder.net is: unknown query parameters and body fields pass (clients send `jsonp`, `device`, `guid`, `id`). */

/** Whole seconds; absent is 0, the whole current state. Kasts reads them as a 32-bit int, so nothing longer is a `since`. */
export const sinceQuery = z.object({
  since: z
    .string()
    .regex(/^\d{1,10}$/, 'must be whole Unix seconds')
    .optional()
    .transform((value) => (value === undefined ? 0 : Number(value))),
});

export const episodeQuery = sinceQuery.extend({
  podcast: z.string().max(4096).optional(),
});

export const deviceSettingsBody = z
  .object({
    caption: z.string().max(MAX_CAPTION_LENGTH).optional(),
    type: z.unknown().optional().transform((value) => (value === undefined ? undefined : deviceTypeOf(value))),
  })
  .optional();

const urlList = z.array(z.string().max(8192)).max(20_000);

export const subscriptionChangesBody = z.object({
  add: urlList.default([]),
  remove: urlList.default([]),
});

export const subscriptionListBody = urlList;

/** Elements are read one by one (episode-action-input.ts): one an app got wrong must not hold back the rest. */
export const episodeActionsBody = z.array(z.unknown()).max(20_000);

export const syncDevicesBody = z
  .object({
    synchronize: z.array(z.array(z.string())).optional(),
    'stop-synchronize': z.array(z.string()).optional(),
  })
  .optional();
