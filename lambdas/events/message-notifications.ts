import { INBOX_ENTITY, OUTBOX_ENTITY } from '../messages/message-items';
import type { InfoPacket } from '../messages/info-packet';
import { userIdOfPartitionKey } from '../shared/keys';
import type { ItemChange } from './item-change';

/**
 * The message on the `notifications` queue: a user whose video messages changed, and their
 * info packet as `GET /v1/messages/inbox` would answer it now. The push sender forwards the
 * packet as the push payload, so push and poll carry the same thing.
 */
export type MessageNotification = { userId: string; packet: InfoPacket } | { userId: string; pollInbox: true };

/**
 * A packet larger than this is not pushed (push services take about 4 KB anyway, and an SQS
 * message at most 256 KB); the push says "poll the inbox" instead, which answers the same packet.
 */
export const MAX_PUSHED_PACKET_BYTES = 64 * 1024;

export function notificationFor(userId: string, packet: InfoPacket): MessageNotification {
  return Buffer.byteLength(JSON.stringify(packet)) > MAX_PUSHED_PACKET_BYTES ? { userId, pollInbox: true } : { userId, packet };
}

/** The user whose packet a change alters: the owner of an inbox or outbox slot that changed. */
export function notifiedUserOf(change: ItemChange): string | undefined {
  const entity = (change.newImage ?? change.oldImage)?.entity;
  if (entity !== INBOX_ENTITY && entity !== OUTBOX_ENTITY) return undefined;
  return userIdOfPartitionKey(change.keys.PK);
}
