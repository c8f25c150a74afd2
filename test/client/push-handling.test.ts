import { describe, expect, it } from 'vitest';
import { type Client, createClient, memoryStore } from '../../client/src/index';
import { hintPush, packetPush, type PlatformPush, type Target } from '../../lambdas/push/push-payloads';
import { createAsset, endpoints, newUserId, tokenFor } from '../support/api';
import { contractFetch } from '../support/client';
import { videoBytes } from '../support/messages';

/** What the app's push handler receives on each platform: APNs's JSON body, FCM's data. */
const received = (push: PlatformPush): Record<string, unknown> => (push.platform === 'ios' ? (JSON.parse(push.body) as Record<string, unknown>) : push.message.data);
const targets: Target[] = [
  { platform: 'ios', token: 'a'.repeat(64), environment: 'sandbox' },
  { platform: 'android', token: 'fcm-token', environment: 'sandbox' },
];
const NOW = Math.floor(Date.now() / 1000);

describe('client.handlePush with the payloads the push sender makes', () => {
  for (const target of targets) {
    it(`applies a pushed packet, polls for one too large to push, and syncs on a hint (${target.platform})`, async () => {
      const [alice, bob] = [newUserId('client-push-a'), newUserId('client-push-b')];
      const [aliceToken, bobToken] = await Promise.all([tokenFor(alice), tokenFor(bob)]);
      const paths: string[] = [];
      const sender: Client = createClient({
        baseUrl: endpoints.api,
        token: () => aliceToken,
        deviceId: 'alice-phone',
        store: memoryStore(),
        fetch: (input, init) => {
          paths.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`);
          return contractFetch(input, init);
        },
      });
      const recipient = createClient({ baseUrl: endpoints.api, token: () => bobToken, deviceId: 'bob-phone', store: memoryStore(), fetch: contractFetch });
      const { messageId } = await sender.messages.send(bob, videoBytes(512), { contentType: 'video/mp4' });
      const viewed = await recipient.messages.markViewed(messageId);

      // The packet the sender's devices are pushed once Bob has viewed it.
      const packet = { toDownload: [], outgoing: [{ messageId, recipientId: bob, state: 'VIEWED', updatedAt: viewed.updatedAt }], asOf: viewed.updatedAt };
      paths.length = 0;
      const pushed = await sender.handlePush(received(packetPush(target, 'app.playhead', packet, NOW)));
      expect(pushed).toMatchObject({ handled: 'packet', inbox: { sent: [expect.objectContaining({ messageId, state: 'VIEWED' })] } });
      expect(paths).toEqual([]);

      const tooLarge = await sender.handlePush(received(packetPush(target, 'app.playhead', undefined, NOW)));
      expect(tooLarge).toMatchObject({ handled: 'inbox' });
      expect(paths).toEqual(['GET /v1/messages/inbox']);

      const assetId = await createAsset();
      await sender.watchlist.add(assetId);
      const hinted = await sender.handlePush(received(hintPush(target, 'app.playhead', 12, NOW)));
      expect(hinted).toMatchObject({ handled: 'sync', report: { pushed: 1, applied: 1 } });
      expect(await sender.handlePush({ aps: { alert: 'someone else’s' } })).toEqual({ handled: 'ignored' });
    });
  }
});
