import type { InfoPacket, MessageContentType, MessageDownload, MessageSent, MessageState, MessageUploadConfirmed } from './api';
import type { Replica, TrackedMessage } from './replica';
import type { Transport } from './transport';

export interface SendOptions {
  contentType: MessageContentType;
  durationSeconds?: number;
}

/** The info packet, with this device's own outgoing messages as far as it knows them. */
export interface Inbox extends InfoPacket {
  /** Messages this device sent and still tracks: in transit, delivered, or further along. */
  sent: TrackedMessage[];
}

const ORDER: Record<TrackedMessage['state'], number> = { uploading: 0, confirming: 1, UPLOADED: 2, DOWNLOADED: 3, VIEWED: 4, REPLACED: 5 };

type Bytes = Uint8Array | ArrayBuffer | Blob;
const sizeOf = (bytes: Bytes): number => (bytes instanceof Uint8Array || bytes instanceof ArrayBuffer ? bytes.byteLength : bytes.size);

/**
 * Video messages as the info-packet protocol has them: declare, upload to the presigned URL,
 * confirm; the device tracks the messages it sent by id. A packet entry moves a tracked message
 * forward only when it names that message's id: an entry about an older message to the same
 * recipient (which a packet may still carry while the new one is uploading) says nothing about
 * the new one, and ids the device never sent are left alone.
 */
export function createMessages(transport: Transport, replica: Replica, now: () => string) {
  const track = (message: TrackedMessage) => replica.change((tx) => tx.setMessage(message));

  function advance(message: TrackedMessage, state: TrackedMessage['state'], at: string): TrackedMessage | undefined {
    return ORDER[state] > ORDER[message.state] ? { ...message, state, updatedAt: at } : undefined;
  }

  return {
    async send(recipientId: string, bytes: Bytes, options: SendOptions): Promise<{ messageId: string; status: MessageUploadConfirmed['status'] }> {
      const sent = await transport.json<MessageSent>('POST', '/v1/messages', {
        recipientId,
        contentType: options.contentType,
        sizeBytes: sizeOf(bytes),
        ...(options.durationSeconds === undefined ? {} : { durationSeconds: options.durationSeconds }),
      });
      const at = now();
      let message: TrackedMessage = { messageId: sent.messageId, recipientId, state: 'uploading', sentAt: at, updatedAt: at };
      await track(message);
      // Browsers set Content-Length themselves and refuse it as a header; the body's size is the declared one.
      const { 'content-length': _length, ...headers } = sent.upload.headers;
      await transport.raw(sent.upload.method, sent.upload.url, headers, bytes as RequestInit['body']);
      message = replica.messages.get(message.messageId) ?? message;
      const confirming = advance(message, 'confirming', now());
      if (confirming) {
        message = confirming;
        await track(message);
      }
      const confirmed = await transport.json<MessageUploadConfirmed>('POST', `/v1/messages/${sent.messageId}/uploaded`);
      const current = replica.messages.get(message.messageId) ?? message;
      const next = advance(current, confirmed.status, now());
      if (next) await track(next);
      return { messageId: sent.messageId, status: confirmed.status };
    },

    /** Reads the info packet (the same one a push carries) and moves tracked messages forward. */
    async inbox(): Promise<Inbox> {
      const packet = await transport.json<InfoPacket>('GET', '/v1/messages/inbox');
      await this.applyPacket(packet);
      return { ...packet, sent: this.sent() };
    },

    /** Applies a packet that arrived by push, exactly as `inbox()` applies the polled one. */
    async applyPacket(packet: InfoPacket): Promise<void> {
      const updates: TrackedMessage[] = [];
      for (const entry of packet.outgoing) {
        const tracked = replica.messages.get(entry.messageId);
        if (!tracked) continue;
        const next = advance(tracked, entry.state, entry.updatedAt);
        if (next) updates.push(next);
      }
      if (updates.length > 0) await replica.change((tx) => {
          for (const message of updates) tx.setMessage(message);
        });
    },

    /** The messages this device sent, newest first. */
    sent(): TrackedMessage[] {
      return [...replica.messages.values()].sort((a, b) => b.sentAt.localeCompare(a.sentAt));
    },

    download: (messageId: string) => transport.json<MessageDownload>('GET', `/v1/messages/${messageId}/download`),
    markDownloaded: (messageId: string) => transport.json<MessageState>('POST', `/v1/messages/${messageId}/state`, { state: 'DOWNLOADED' }),
    markViewed: (messageId: string) => transport.json<MessageState>('POST', `/v1/messages/${messageId}/state`, { state: 'VIEWED' }),
  };
}

export type Messages = ReturnType<typeof createMessages>;
