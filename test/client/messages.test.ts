import { describe, expect, it } from 'vitest';
import { type Client, createClient, memoryStore } from '../../client/src/index';
import { endpoints, newUserId, tokenFor } from '../support/api';
import { contractFetch } from '../support/client';
import { videoBytes } from '../support/messages';

const clientOf = (token: string, deviceId: string, fetch: typeof globalThis.fetch = contractFetch): Client =>
  createClient({ baseUrl: endpoints.api, token: () => token, deviceId, store: memoryStore(), fetch });

/** Waits for the upload event path (bucket event or confirm) to settle into the packet. */
async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('video messages through the client', () => {
  it('upload with the presigned URL, confirm, and follow the message to VIEWED through info packets', async () => {
    const [alice, bob] = [newUserId('client-msg-a'), newUserId('client-msg-b')];
    const sender = clientOf(await tokenFor(alice), 'alice-phone');
    const recipient = clientOf(await tokenFor(bob), 'bob-phone');

    const sent = await sender.messages.send(bob, videoBytes(4096), { contentType: 'video/mp4', durationSeconds: 3 });
    expect(sent.status).toBe('UPLOADED');
    expect(sender.messages.sent()).toEqual([expect.objectContaining({ messageId: sent.messageId, recipientId: bob, state: 'UPLOADED' })]);

    const inbox = await recipient.messages.inbox();
    expect(inbox.toDownload.map((m) => m.messageId)).toEqual([sent.messageId]);
    const download = await recipient.messages.download(sent.messageId);
    expect((await fetch(download.url)).status).toBe(200);
    await recipient.messages.markDownloaded(sent.messageId);
    await recipient.messages.markViewed(sent.messageId);

    const seen = await eventually(async () => {
      const packet = await sender.messages.inbox();
      return packet.sent.find((m) => m.messageId === sent.messageId && m.state === 'VIEWED');
    });
    expect(seen.recipientId).toBe(bob);
  });

  it('never takes a packet about an older message for the one in transit, and ignores ids it did not send', async () => {
    const [alice, bob] = [newUserId('client-race-a'), newUserId('client-race-b')];
    const aliceToken = await tokenFor(alice);
    const recipient = clientOf(await tokenFor(bob), 'bob-phone');
    // Another of Alice's devices sent the first message; this one never knew its id.
    const otherDevice = clientOf(aliceToken, 'alice-tablet');
    const first = await otherDevice.messages.send(bob, videoBytes(1024), { contentType: 'video/mp4' });
    await recipient.messages.markViewed(first.messageId);

    let duringUpload: { state: string | undefined; packetSaysViewed: boolean } | undefined;
    const sender: Client = clientOf(aliceToken, 'alice-phone', async (input, init) => {
      const url = new URL(String(input));
      // The video is about to go up: a packet read now still shows the first message, viewed.
      if (init?.method === 'PUT' && url.origin !== new URL(endpoints.api).origin && duringUpload === undefined) {
        const packet = await sender.messages.inbox();
        const inTransit = packet.sent[0];
        duringUpload = {
          state: inTransit?.state,
          packetSaysViewed: packet.outgoing.some((o) => o.recipientId === bob && o.messageId === first.messageId && o.state === 'VIEWED'),
        };
      }
      return contractFetch(input, init);
    });

    const second = await sender.messages.send(bob, videoBytes(2048), { contentType: 'video/webm' });
    expect(duringUpload).toEqual({ state: 'uploading', packetSaysViewed: true });
    expect(second.status).toBe('UPLOADED');
    const packet = await sender.messages.inbox();
    // Only the message this device sent is tracked, and it is delivered, not viewed.
    expect(packet.sent).toEqual([expect.objectContaining({ messageId: second.messageId, state: 'UPLOADED' })]);
    expect(packet.sent.some((m) => m.messageId === first.messageId)).toBe(false);
  });
});
