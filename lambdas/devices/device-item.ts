import { createHash } from 'node:crypto';
import * as z from 'zod';
import { userPartitionKey } from '../shared/keys';

/**
 * A device that takes pushes: `USER#<userId>` / `DEVICE#<deviceId>`, with its platform, push
 * token and the push sender's per-device state (the newest packet sent, the last sync hint and a
 * pending trailing hint). A token belongs to one device of one user at a time: the claim
 * `PUSHTOKEN#<hash>` / `PUSHTOKEN` names its holder and is written in the same transaction as
 * the device. `USER#<userId>` / `DEVICES` holds a version that every registration and removal
 * moves, so a user's concurrent registrations cannot together pass the limit.
 */
export const DEVICE_ENTITY = 'device';
export const DEVICE_SORT_PREFIX = 'DEVICE#';
export const PUSH_TOKEN_ENTITY = 'push-token';
export const DEVICE_SET_ENTITY = 'device-set';

export const platforms = ['ios', 'android'] as const;
export type Platform = (typeof platforms)[number];
export const apnsEnvironments = ['sandbox', 'production'] as const;
export type ApnsEnvironment = (typeof apnsEnvironments)[number];

/** Devices per user; one more is 409 `device-limit-reached`. */
export const MAX_DEVICES_PER_USER = 10;
/** A device not registered again for this long is forgotten (TTL). */
export const DEVICE_LIFETIME_DAYS = 60;

export const deviceItemSchema = z.object({
  entity: z.literal(DEVICE_ENTITY),
  deviceId: z.string(),
  platform: z.enum(platforms),
  token: z.string(),
  tokenHash: z.string(),
  environment: z.enum(apnsEnvironments),
  registeredAt: z.string(),
  updatedAt: z.string(),
  /** Epoch seconds (the table's TTL attribute). */
  expiresAt: z.number(),
  /** `asOf` of the newest info packet sent to this device. */
  packetAsOf: z.string().optional(),
  /** Epoch ms of the last sync hint sent, and the feed head it named. */
  hintAt: z.number().optional(),
  hintSeq: z.number().optional(),
  /** The newest feed head not yet hinted, and when its trailing hint is due (epoch ms). */
  hintPending: z.number().optional(),
  flushAt: z.number().optional(),
});
export type DeviceItem = z.infer<typeof deviceItemSchema>;

/** What the API shows of a device: never its token. */
export interface DeviceView {
  deviceId: string;
  platform: Platform;
  environment: ApnsEnvironment;
  registeredAt: string;
  updatedAt: string;
  expiresAt: string;
}

export const deviceKey = (userId: string, deviceId: string) => ({ PK: userPartitionKey(userId), SK: `${DEVICE_SORT_PREFIX}${deviceId}` });
export const deviceSetKey = (userId: string) => ({ PK: userPartitionKey(userId), SK: 'DEVICES' });
export const pushTokenKey = (tokenHash: string) => ({ PK: `PUSHTOKEN#${tokenHash}`, SK: 'PUSHTOKEN' });

/** The token is not kept in the claim's key: a hash names it without putting it in logs or keys. */
export const tokenHashOf = (platform: Platform, token: string): string => createHash('sha256').update(`${platform}:${token}`).digest('base64url');

export function deviceFromItem(item: Record<string, unknown>): DeviceItem {
  return deviceItemSchema.parse(item);
}

export function deviceView(device: DeviceItem): DeviceView {
  return {
    deviceId: device.deviceId,
    platform: device.platform,
    environment: device.environment,
    registeredAt: device.registeredAt,
    updatedAt: device.updatedAt,
    expiresAt: new Date(device.expiresAt * 1000).toISOString(),
  };
}
