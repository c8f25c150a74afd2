import * as z from 'zod';
import { userPartitionKey } from '../shared/keys';

/**
 * Sync sessions and the per-device position they advance. Neither is a synced type: they are
 * bookkeeping, not user data, and never join the feed.
 *
 * - `USER#<userId>` / `SYNCSESSION#<sessionId>`: one session's window (since, until].
 * - `USER#<userId>` / `SYNCDEVICE#<deviceId>`: the feed position the device has completed.
 */
export const SYNC_SESSION_ENTITY = 'sync-session';
export const SYNC_DEVICE_ENTITY = 'sync-device';

/** Device ids are the client's own: short, printable, no separators of ours. */
export const deviceIdSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'must be 1-128 characters of A-Z a-z 0-9 _ . : -');
export const sessionIdSchema = z.uuid({ message: 'must be a session id this API issued' });

/** Sessions are for one sync run; a device that takes longer opens a new one (nothing is lost). */
export const SESSION_LIFETIME_MS = 60 * 60 * 1000;

export const syncSessionItemSchema = z.object({
  entity: z.literal(SYNC_SESSION_ENTITY),
  sessionId: z.string(),
  deviceId: z.string(),
  /** Feed position after which the window starts; null for a full resync (snapshot). */
  since: z.number().int().nonnegative().nullable(),
  /** Time after which every entry past `since` was created (see feed-reader). */
  sinceIssuedAt: z.number().int(),
  /** The slots of the entries numbered `since` and `until`, where they differ from the numbers (feed-entry.ts). */
  sinceSlot: z.number().int().nonnegative().optional(),
  until: z.number().int().nonnegative(),
  untilSlot: z.number().int().nonnegative().optional(),
  createdAt: z.string(),
  expiresAtMs: z.number().int(),
  completedAt: z.string().optional(),
});

export type SyncSession = Omit<z.infer<typeof syncSessionItemSchema>, 'entity'>;

export const syncDeviceItemSchema = z.object({
  entity: z.literal(SYNC_DEVICE_ENTITY),
  deviceId: z.string(),
  position: z.number().int().nonnegative(),
  /** The slot of the entry numbered `position`, where it differs (feed-entry.ts). */
  positionSlot: z.number().int().nonnegative().optional(),
  /** When the device's last completed session began: every entry past `position` is newer. */
  positionIssuedAt: z.number().int(),
  completedAt: z.string(),
});

export type SyncDevice = Omit<z.infer<typeof syncDeviceItemSchema>, 'entity'>;

export const syncSessionKey = (userId: string, sessionId: string) => ({ PK: userPartitionKey(userId), SK: `SYNCSESSION#${sessionId}` });
export const syncDeviceKey = (userId: string, deviceId: string) => ({ PK: userPartitionKey(userId), SK: `SYNCDEVICE#${deviceId}` });
