import { INBOX_ENTITY, OUTBOX_ENTITY } from '../messages/message-items';
import type { InfoPacket } from '../messages/info-packet';
import { userIdOfPartitionKey } from '../shared/keys';
import type { ItemChange } from './item-change';

/**
 * The message on the `notifications` queue: a user whose video messages changed, and their
 * info packet as `GET /v1/messages/inbox` would answer it now. The push sender forwards the
 * packet as the push payload, so push and poll carry the same thing; a packet too large for a
 * push travels as `pollInbox` with its `asOf`, so the sender still orders it.
 */
export type MessageNotification = { userId: string; packet: InfoPacket } | { userId: string; pollInbox: true; asOf: string };

/**
 * APNs and FCM take at most 4,096 bytes of payload, and a packet's JSON larger than that fits
 * neither, whatever wraps it; the push sender checks each platform's exact payload.
 */
export const MAX_PUSHED_PACKET_BYTES = 4096;

export function notificationFor(userId: string, packet: InfoPacket): MessageNotification {
  return Buffer.byteLength(JSON.stringify(packet)) > MAX_PUSHED_PACKET_BYTES ? { userId, pollInbox: true, asOf: packet.asOf } : { userId, packet };
}

/** The user whose packet a change alters: the owner of an inbox or outbox slot that changed. */
export function notifiedUserOf(change: ItemChange): string | undefined {
  const entity = (change.newImage ?? change.oldImage)?.entity;
  if (entity !== INBOX_ENTITY && entity !== OUTBOX_ENTITY) return undefined;
  return userIdOfPartitionKey(change.keys.PK);
}
