import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { call, endpoints, newUserId, tokenFor } from '../support/api';
import { type InfoPacket, packetOf, send, upload, videoBytes } from '../support/messages';
import { androidToken, iosToken, packetOfPush, payloadBytes, pushesTo, register, script, waitForPushes } from '../support/pushes';
import { waitFor } from '../support/wait';

const sqs = new SQSClient({ endpoint: endpoints.sqs, region: endpoints.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, useQueueUrlAsEndpoint: false });

async function person(label: string) {
  const id = newUserId(label);
  return { id, token: await tokenFor(id) };
}

/** A packet notification as the stream router sends it, straight onto the queue the sender consumes. */
async function notify(userId: string, packet: InfoPacket): Promise<void> {
  await sqs.send(new SendMessageCommand({ QueueUrl: endpoints.queues.notifications, MessageBody: JSON.stringify({ userId, packet }) }));
}
const packetAsOf = (asOf: string): InfoPacket => ({ toDownload: [], outgoing: [], asOf });

const withoutAsOf = (packet: unknown) => {
  const { asOf: _asOf, ...rest } = packet as InfoPacket;
  return rest;
};

async function devices(token: string): Promise<string[]> {
  return ((await call('GET', '/v1/devices', { token })).json as { deviceId: string }[]).map((d) => d.deviceId);
}

describe('push delivery', () => {
  it('a message cycle pushes each state change once to each device, the packet the inbox answers', async () => {
    const [alice, bob] = await Promise.all([person('alice'), person('bob')]);
    const bobPhone = iosToken();
    const alicePhone = androidToken();
    await register(bob.token, 'bob-iphone', 'ios', bobPhone);
    await register(alice.token, 'alice-pixel', 'android', alicePhone);

    const { messageId, upload: target } = await send(alice.token, bob.id, { sizeBytes: 2048 });
    expect(await upload(target, videoBytes(2048))).toBe(200);

    const steps: { name: string; act: () => Promise<void>; bob: (p: InfoPacket) => boolean; alice: (p: InfoPacket) => boolean }[] = [
      { name: 'uploaded', act: async () => undefined, bob: (p) => p.toDownload.some((m) => m.messageId === messageId), alice: (p) => p.outgoing.some((m) => m.state === 'UPLOADED') },
      {
        name: 'downloaded',
        act: async () => void (await call('POST', `/v1/messages/${messageId}/state`, { token: bob.token, body: { state: 'DOWNLOADED' } })),
        bob: (p) => p.toDownload.length === 0,
        alice: (p) => p.outgoing.some((m) => m.state === 'DOWNLOADED'),
      },
      {
        name: 'viewed',
        act: async () => void (await call('POST', `/v1/messages/${messageId}/state`, { token: bob.token, body: { state: 'VIEWED' } })),
        bob: (p) => p.toDownload.length === 0,
        alice: (p) => p.outgoing.some((m) => m.state === 'VIEWED'),
      },
    ];
    for (const [index, step] of steps.entries()) {
      await step.act();
      const bobPushes = await waitForPushes(bobPhone, (pushes) => pushes.length > index);
      const alicePushes = await waitForPushes(alicePhone, (pushes) => pushes.length > index);
      expect(bobPushes, `bob after ${step.name}`).toHaveLength(index + 1);
      expect(alicePushes, `alice after ${step.name}`).toHaveLength(index + 1);

      const [bobPush, alicePush] = [bobPushes.at(-1), alicePushes.at(-1)];
      if (bobPush === undefined || alicePush === undefined) throw new Error('no push');
      expect(bobPush.headers).toMatchObject({ 'apns-push-type': 'background', 'apns-priority': '5', 'apns-collapse-id': 'inbox', 'apns-topic': 'com.playhead.local' });
      expect((bobPush.payload as { aps: unknown }).aps).toEqual({ 'content-available': 1 });
      expect(alicePush.payload).toMatchObject({ android: { priority: 'normal', collapse_key: 'inbox' } });
      expect(alicePush.payload).not.toHaveProperty('notification');
      for (const push of [bobPush, alicePush]) expect(payloadBytes(push)).toBeLessThanOrEqual(4096);

      const bobPacket = packetOfPush(bobPush) as InfoPacket;
      const alicePacket = packetOfPush(alicePush) as InfoPacket;
      expect(step.bob(bobPacket), `bob's packet after ${step.name}`).toBe(true);
      expect(step.alice(alicePacket), `alice's packet after ${step.name}`).toBe(true);
      const [bobPolled, alicePolled] = await Promise.all([packetOf(bob.token), packetOf(alice.token)]);
      expect(withoutAsOf(bobPacket)).toEqual(withoutAsOf(bobPolled));
      expect(withoutAsOf(alicePacket)).toEqual(withoutAsOf(alicePolled));
      expect(bobPacket.asOf <= bobPolled.asOf).toBe(true);
    }
  });

  it('a packet too large for a push becomes pollInbox on both platforms', async () => {
    const bob = await person('popular');
    const phone = iosToken();
    const tablet = androidToken();
    await register(bob.token, 'iphone', 'ios', phone);
    await register(bob.token, 'tablet', 'android', tablet);
    const senders = await Promise.all(Array.from({ length: 24 }, (_, i) => person(`fan${i}`)));
    for (const sender of senders) {
      const { upload: target } = await send(sender.token, bob.id, { sizeBytes: 1024 });
      expect(await upload(target, videoBytes(1024))).toBe(200);
    }
    const packet = await waitFor(() => packetOf(bob.token), (p) => p.toDownload.length === senders.length, 30_000);
    expect(Buffer.byteLength(JSON.stringify(packet))).toBeGreaterThan(4096);
    const last = async (token: string) => (await pushesTo(token)).at(-1);
    await waitFor(last.bind(null, phone), (push) => push !== undefined && (push.payload as { pollInbox?: boolean }).pollInbox === true, 30_000);
    await waitFor(last.bind(null, tablet), (push) => push !== undefined && (push.payload as { data: { pollInbox?: string } }).data.pollInbox === 'true', 30_000);
    for (const push of await pushesTo(phone, tablet)) expect(payloadBytes(push)).toBeLessThanOrEqual(4096);
  });

  it('drops a packet older than the last one a device was sent', async () => {
    const carol = await person('carol');
    const phone = iosToken();
    await register(carol.token, 'iphone', 'ios', phone);
    const newer = new Date(Date.now() + 1000).toISOString();
    const older = new Date(Date.now() - 1000).toISOString();
    await notify(carol.id, packetAsOf(newer));
    await waitForPushes(phone, (pushes) => pushes.length === 1);
    await notify(carol.id, packetAsOf(older));
    await notify(carol.id, packetAsOf(newer));
    const pushes = await waitForPushes(phone, () => false, { timeoutMs: 0, quietMs: 3000 });
    expect(pushes.map((p) => (packetOfPush(p) as InfoPacket).asOf)).toEqual([newer]);
  });

  it('forgets a device whose token APNs answers 410 or 400, or FCM UNREGISTERED or invalid; keeps it through 429 and 503', async () => {
    const dave = await person('dave');
    const tokens = { gone: iosToken(), bad: iosToken(), unregistered: androidToken(), invalid: androidToken(), busy: iosToken(), throttled: androidToken() };
    await register(dave.token, 'gone', 'ios', tokens.gone);
    await register(dave.token, 'bad', 'ios', tokens.bad);
    await register(dave.token, 'unregistered', 'android', tokens.unregistered);
    await register(dave.token, 'invalid', 'android', tokens.invalid);
    await register(dave.token, 'busy', 'ios', tokens.busy);
    await register(dave.token, 'throttled', 'android', tokens.throttled);
    await script(tokens.gone, { status: 410 });
    await script(tokens.bad, { status: 400 });
    await script(tokens.unregistered, { status: 410 });
    await script(tokens.invalid, { status: 400 });
    await script(tokens.busy, { status: 503, times: 1 });
    await script(tokens.throttled, { status: 429, times: 1 });
    await notify(dave.id, packetAsOf(new Date().toISOString()));

    await waitFor(() => devices(dave.token), (ids) => ids.length === 2, 15_000);
    expect(await devices(dave.token)).toEqual(['busy', 'throttled']);
    // The message comes back after the sender's timeout; only the devices still owed the packet get it.
    await waitForPushes(tokens.busy, (pushes) => pushes.length === 1, { timeoutMs: 60_000 });
    await waitForPushes(tokens.throttled, (pushes) => pushes.length === 1, { timeoutMs: 60_000 });
    expect(await pushesTo(tokens.busy, tokens.throttled)).toHaveLength(2);
    expect(await pushesTo(tokens.gone, tokens.bad, tokens.unregistered, tokens.invalid)).toEqual([]);
    expect(await devices(dave.token)).toEqual(['busy', 'throttled']);
  }, 90_000);

  it('a token registered by another user reaches only its new owner', async () => {
    const [erin, frank] = await Promise.all([person('erin'), person('frank')]);
    const phone = iosToken();
    await register(erin.token, 'phone', 'ios', phone);
    await register(frank.token, 'phone', 'ios', phone);
    await notify(erin.id, packetAsOf(new Date().toISOString()));
    await notify(frank.id, { ...packetAsOf(new Date().toISOString()), outgoing: [{ messageId: 'm', recipientId: 'x', state: 'UPLOADED', updatedAt: new Date().toISOString() }] });
    const pushes = await waitForPushes(phone, (p) => p.length >= 1, { quietMs: 2500 });
    expect(pushes).toHaveLength(1);
    expect((packetOfPush(pushes[0] as never) as InfoPacket).outgoing).toHaveLength(1);
  });
});
