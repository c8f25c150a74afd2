import type { ApnsEnvironment, Platform } from '../devices/device-item';

/** The most payload APNs and FCM accept for one push (APNs: the JSON body; FCM: the data's keys and values). */
export const MAX_PUSH_PAYLOAD_BYTES = 4096;
/** A push the device has not received within a day is not worth delivering: the next poll has it. */
const EXPIRY_SECONDS = 24 * 60 * 60;

/** What a push says to the app: the info packet itself, "poll the inbox", or "sync from the feed". */
export type PushContent = { packet: unknown } | { pollInbox: true } | { sync: { seq: number } };

/** One push as it leaves for a device: the APNs request or the FCM message. */
export type PlatformPush =
  | { platform: 'ios'; environment: ApnsEnvironment; token: string; headers: Record<string, string>; body: string }
  | { platform: 'android'; token: string; message: FcmMessage };

export interface FcmMessage {
  token: string;
  data: Record<string, string>;
  android: { priority: 'normal'; collapse_key: string; ttl: string };
}

/** Background pushes: they wake the app without showing anything, at the priority Apple and Google require for that. */
function apnsPush(token: string, environment: ApnsEnvironment, topic: string, collapseId: string, content: PushContent, nowSeconds: number): PlatformPush {
  return {
    platform: 'ios',
    environment,
    token,
    headers: {
      'apns-push-type': 'background',
      'apns-priority': '5',
      'apns-topic': topic,
      'apns-collapse-id': collapseId,
      'apns-expiration': String(nowSeconds + EXPIRY_SECONDS),
    },
    body: JSON.stringify({ aps: { 'content-available': 1 }, ...content }),
  };
}

/** FCM data values are strings: a packet travels as its JSON. */
function fcmData(content: PushContent): Record<string, string> {
  if ('packet' in content) return { packet: JSON.stringify(content.packet) };
  if ('pollInbox' in content) return { pollInbox: 'true' };
  return { sync: String(content.sync.seq) };
}

function fcmPush(token: string, collapseKey: string, content: PushContent): PlatformPush {
  return { platform: 'android', token, message: { token, data: fcmData(content), android: { priority: 'normal', collapse_key: collapseKey, ttl: `${EXPIRY_SECONDS}s` } } };
}

/** The bytes that count against the limit: APNs counts the body, FCM the data's keys and values. */
export function payloadBytes(push: PlatformPush): number {
  if (push.platform === 'ios') return Buffer.byteLength(push.body);
  return Object.entries(push.message.data).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(value), 0);
}

export interface Target {
  platform: Platform;
  token: string;
  environment: ApnsEnvironment;
}

function pushFor(target: Target, topic: string, collapseId: string, content: PushContent, nowSeconds: number): PlatformPush {
  return target.platform === 'ios' ? apnsPush(target.token, target.environment, topic, collapseId, content, nowSeconds) : fcmPush(target.token, collapseId, content);
}

/**
 * The packet push for one device: the packet itself when its platform's payload fits, else
 * "poll the inbox". A newer packet replaces an undelivered older one (collapse id `inbox`).
 */
export function packetPush(target: Target, topic: string, packet: unknown, nowSeconds: number): PlatformPush {
  if (packet !== undefined) {
    const full = pushFor(target, topic, 'inbox', { packet }, nowSeconds);
    if (payloadBytes(full) <= MAX_PUSH_PAYLOAD_BYTES) return full;
  }
  return pushFor(target, topic, 'inbox', { pollInbox: true }, nowSeconds);
}

/** A sync hint: the feed head to pull to; a newer hint replaces an undelivered one (collapse id `sync`). */
export function hintPush(target: Target, topic: string, seq: number, nowSeconds: number): PlatformPush {
  return pushFor(target, topic, 'sync', { sync: { seq } }, nowSeconds);
}
