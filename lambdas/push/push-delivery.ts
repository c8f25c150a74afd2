import type { DeviceItem } from '../devices/device-item';
import { forgetDevice } from '../devices/device-store';
import { CREDENTIALS_ALARM } from '../../lib/push-definitions';
import { logger } from '../shared/logger';
import { sendToApns } from './apns-client';
import { sendToFcm } from './fcm-client';
import type { PushCredentials } from './push-credentials';
import { type PlatformPush, payloadBytes } from './push-payloads';
import type { PushResult } from './push-results';

/** What one message's pushes came to; the handler sums them into the batch's log line. */
export interface Tally {
  sent: number;
  gone: number;
  retried: number;
  refused: number;
  dropped: number;
  /** Claims not won: a newer packet already sent, a hint within its window. */
  skipped: number;
  payloadBytes: number;
}

export const newTally = (): Tally => ({ sent: 0, gone: 0, retried: 0, refused: 0, dropped: 0, skipped: 0, payloadBytes: 0 });


/** Sends one push to its platform; a platform with no credentials in the secret is a refusal. */
async function send(push: PlatformPush, credentials: PushCredentials, nowSeconds: number): Promise<PushResult> {
  if (push.platform === 'ios') return credentials.apns === undefined ? { kind: 'refused', reason: 'the secret holds no APNs credentials' } : sendToApns(push, credentials.apns, nowSeconds);
  return credentials.fcm === undefined ? { kind: 'refused', reason: 'the secret holds no FCM credentials' } : sendToFcm(push, credentials.fcm, nowSeconds);
}

/**
 * Sends a claimed push and acts on the answer: a dead token forgets the device (only while it
 * still holds that token), a push to retry gives its claim back. Returns whether the message
 * must come again.
 */
export async function deliver(
  userId: string,
  device: DeviceItem,
  push: PlatformPush,
  credentials: PushCredentials,
  nowSeconds: number,
  tally: Tally,
  release: () => Promise<unknown>,
): Promise<boolean> {
  const result = await send(push, credentials, nowSeconds);
  switch (result.kind) {
    case 'sent':
      tally.sent++;
      tally.payloadBytes += payloadBytes(push);
      return false;
    case 'gone':
      tally.gone++;
      logger.info('push token is dead; device forgotten', { userId, deviceId: device.deviceId, platform: device.platform, environment: device.environment, reason: result.reason });
      await forgetDevice(userId, device.deviceId, device.tokenHash);
      return false;
    case 'dropped':
      tally.dropped++;
      logger.error('push refused for its content; not retried', { userId, deviceId: device.deviceId, reason: result.reason });
      return false;
    case 'retry':
      tally.retried++;
      logger.warn('push to be retried', { userId, deviceId: device.deviceId, reason: result.reason });
      await release();
      return true;
    case 'refused':
      tally.refused++;
      logger.error('push credentials refused; nothing deleted', { alarm: CREDENTIALS_ALARM, userId, deviceId: device.deviceId, platform: device.platform, reason: result.reason });
      await release();
      return true;
  }
}
