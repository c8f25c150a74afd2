import { type IncomingMessage, incomingOf, type OutgoingMessage, outgoingOf } from './message-items';
import { inboxSlots, outboxSlots } from './message-store';

/**
 * The one "info packet": what the user should download, and where each of their latest
 * outgoing messages stands. `GET /v1/messages/inbox` answers it and every push carries it, so
 * an app has one code path whichever arrives first.
 */
export interface InfoPacket {
  toDownload: IncomingMessage[];
  outgoing: OutgoingMessage[];
  asOf: string;
}

export async function infoPacketFor(userId: string, now: string): Promise<InfoPacket> {
  const nowSeconds = Date.parse(now) / 1000;
  const [inbox, outbox] = await Promise.all([inboxSlots(userId), outboxSlots(userId)]);
  return {
    // TTL deletion can lag; a slot past its time is already gone as far as devices are concerned.
    toDownload: inbox.filter((slot) => slot.state === 'UPLOADED' && (slot.expiresAt === undefined || slot.expiresAt > nowSeconds)).map(incomingOf),
    outgoing: outbox.map(outgoingOf),
    asOf: now,
  };
}
