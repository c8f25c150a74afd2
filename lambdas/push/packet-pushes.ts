import type * as z from 'zod';
import type { DeviceItem } from '../devices/device-item';
import { claimPacket, devicesOf, releasePacket } from '../devices/device-store';
import type { messageNotificationSchema } from '../events/message-notification-schema';
import { mapConcurrently } from '../shared/concurrency';
import { deliver, type Tally } from './push-delivery';
import type { PushCredentials } from './push-credentials';
import { packetPush } from './push-payloads';

type Notification = z.infer<typeof messageNotificationSchema>;

/**
 * Sends a user's info packet to each of their devices. SQS may deliver packets out of order
 * or twice; each device takes a packet only if it is newer than the last one it was sent (a
 * conditional write on its `packetAsOf` before the push), so an older packet never follows a
 * newer one. Returns whether the message must come again.
 */
export async function pushPacket(notification: Notification, credentials: PushCredentials, now: Date, tally: Tally): Promise<boolean> {
  const { userId } = notification;
  const asOf = 'packet' in notification ? notification.packet.asOf : notification.asOf;
  const packet = 'packet' in notification ? notification.packet : undefined;
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const devices = await devicesOf(userId, now.getTime());
  const again = await mapConcurrently(devices, 10, async (device: DeviceItem) => {
    if (!(await claimPacket(userId, device, asOf))) {
      tally.skipped++;
      return false;
    }
    const push = packetPush(device, credentials.apns?.topic ?? '', packet, nowSeconds);
    return deliver(userId, device, push, credentials, nowSeconds, tally, () => releasePacket(userId, device, asOf));
  });
  return again.some(Boolean);
}
