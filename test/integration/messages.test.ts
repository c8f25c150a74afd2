import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { call, endpoints, newUserId, tokenFor } from '../support/api';
import { pull, waitForChanges } from '../support/feed';
import { type InfoPacket, packetOf, send, upload, videoBytes } from '../support/messages';
import { queueReader } from '../support/queue-reader';
import { scanItems, updateItem } from '../support/table';
import { waitFor } from '../support/wait';

// This file is the one reader of the local notifications queue.
const notificationsWhere = queueReader('notifications', (body) => body as { userId: string; packet: InfoPacket });
const s3 = new S3Client({ endpoint: endpoints.s3, region: endpoints.region, forcePathStyle: true, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

async function person(label: string) {
  const id = newUserId(label);
  return { id, token: await tokenFor(id) };
}

const delivered = (packet: InfoPacket, messageId: string) => packet.toDownload.some((m) => m.messageId === messageId);
const outgoingState = (packet: InfoPacket, messageId: string) => packet.outgoing.find((m) => m.messageId === messageId)?.state;
const objectExists = async (messageId: string) =>
  s3.send(new HeadObjectCommand({ Bucket: endpoints.bucketName, Key: `messages/${messageId}` })).then(
    () => true,
    () => false,
  );

async function sendAndUpload(from: { token: string }, to: { id: string; token: string }, size = 2048) {
  const { messageId, upload: target } = await send(from.token, to.id, { sizeBytes: size, durationSeconds: 12 });
  expect(await upload(target, videoBytes(size))).toBe(200);
  const packet = await waitFor(() => packetOf(to.token), (p) => delivered(p, messageId));
  expect(delivered(packet, messageId)).toBe(true);
  return messageId;
}

describe('video messages', () => {
  it('send → upload → notify → download → view, between two users; push payload equals the poll answer', async () => {
    const [alice, bob] = await Promise.all([person('alice'), person('bob')]);
    const since = (await pull(bob.token)).cursor;
    const size = 4096;
    const { messageId, upload: target } = await send(alice.token, bob.id, { sizeBytes: size, durationSeconds: 9.5 });
    expect(target).toMatchObject({ method: 'PUT', headers: { 'content-type': 'video/mp4', 'content-length': String(size) } });
    expect(await packetOf(bob.token)).toMatchObject({ toDownload: [], outgoing: [] });

    // The bytes go straight to storage; the bucket's event confirms the upload (no app call).
    expect(await upload(target, videoBytes(size))).toBe(200);
    const bobPacket = await waitFor(() => packetOf(bob.token), (p) => delivered(p, messageId));
    expect(bobPacket.toDownload).toEqual([expect.objectContaining({ messageId, senderId: alice.id, state: 'UPLOADED', sizeBytes: size, durationSeconds: 9.5, contentType: 'video/mp4' })]);
    expect((await packetOf(alice.token)).outgoing).toEqual([expect.objectContaining({ messageId, recipientId: bob.id, state: 'UPLOADED' })]);
    // The app may confirm as well: the same answer, nothing changes.
    expect((await call('POST', `/v1/messages/${messageId}/uploaded`, { token: alice.token })).json).toEqual({ messageId, status: 'UPLOADED' });

    // Each side's push is the packet it would poll.
    const [bobPush] = await notificationsWhere((n) => n.userId === bob.id && delivered(n.packet, messageId), 1, 200);
    const { asOf: _a, ...bobPushed } = (bobPush?.message.packet ?? {}) as InfoPacket;
    const { asOf: _b, ...bobPolled } = await packetOf(bob.token);
    expect(bobPushed).toEqual(bobPolled);

    const link = await call('GET', `/v1/messages/${messageId}/download`, { token: bob.token });
    expect(link.status).toBe(200);
    const { url } = link.json as { url: string };
    const video = await fetch(url);
    expect(Buffer.from(await video.arrayBuffer()).equals(videoBytes(size))).toBe(true);

    expect((await call('POST', `/v1/messages/${messageId}/state`, { token: bob.token, body: { state: 'DOWNLOADED' } })).json).toMatchObject({ messageId, state: 'DOWNLOADED' });
    expect((await packetOf(bob.token)).toDownload).toEqual([]);
    expect(outgoingState(await packetOf(alice.token), messageId)).toBe('DOWNLOADED');
    const viewed = await call('POST', `/v1/messages/${messageId}/state`, { token: bob.token, body: { state: 'VIEWED' } });
    expect(viewed.json).toMatchObject({ messageId, state: 'VIEWED' });
    expect(outgoingState(await packetOf(alice.token), messageId)).toBe('VIEWED');

    // Alice is pushed the view (changes close together may share one push), and it equals her poll answer.
    const alicePushes = await notificationsWhere((n) => n.userId === alice.id && outgoingState(n.packet, messageId) === 'VIEWED', 1, 200);
    const lastPush = alicePushes.at(-1)?.message.packet as InfoPacket;
    const { asOf: _c, ...alicePushed } = lastPush;
    const { asOf: _d, ...alicePolled } = await packetOf(alice.token);
    expect(alicePushed).toEqual(alicePolled);

    // Messages join the change feed.
    const changes = await waitForChanges(bob.token, since, 3);
    expect(changes.map((c) => [c.type, c.key])).toEqual(expect.arrayContaining([['message-in', alice.id]]));
  });

  it('states only move forward: late, repeated and concurrent older states are no-ops that answer the current state', async () => {
    const [alice, bob] = await Promise.all([person('alice'), person('bob')]);
    const messageId = await sendAndUpload(alice, bob);
    const states = ['VIEWED', 'DOWNLOADED', 'VIEWED', 'DOWNLOADED'];
    const answers = await Promise.all(states.map((state) => call('POST', `/v1/messages/${messageId}/state`, { token: bob.token, body: { state } })));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    const late = await call('POST', `/v1/messages/${messageId}/state`, { token: bob.token, body: { state: 'DOWNLOADED' } });
    expect(late.json).toMatchObject({ state: 'VIEWED' });
    expect(outgoingState(await packetOf(alice.token), messageId)).toBe('VIEWED');
    const bad = await call('POST', `/v1/messages/${messageId}/state`, { token: bob.token, body: { state: 'UPLOADED' } });
    expect((bad.json as { errors: { field: string }[] }).errors[0]?.field).toBe('body.state');
  });

  it('a new message to the same recipient replaces the previous one in both packets, and its video goes', async () => {
    const [alice, bob] = await Promise.all([person('alice'), person('bob')]);
    const first = await sendAndUpload(alice, bob);
    const second = await sendAndUpload(alice, bob, 1024);
    expect((await packetOf(bob.token)).toDownload.map((m) => m.messageId)).toEqual([second]);
    expect((await packetOf(alice.token)).outgoing.map((m) => m.messageId)).toEqual([second]);
    expect((await call('GET', `/v1/messages/${first}/download`, { token: bob.token })).status).toBe(404);
    expect((await call('POST', `/v1/messages/${first}/state`, { token: bob.token, body: { state: 'VIEWED' } })).status).toBe(404);
    expect(await objectExists(first)).toBe(false);
    expect(await objectExists(second)).toBe(true);
    // Another sender's message to the same recipient is a slot of its own.
    const carol = await person('carol');
    const third = await sendAndUpload(carol, bob);
    expect((await packetOf(bob.token)).toDownload.map((m) => m.messageId).sort()).toEqual([second, third].sort());
  });

  it('rejects and removes an upload whose size or type differs from what was declared', async () => {
    const [alice, bob] = await Promise.all([person('alice'), person('bob')]);
    const short = await send(alice.token, bob.id, { sizeBytes: 1000 });
    expect(await upload(short.upload, videoBytes(999))).toBe(200);
    const wrongType = await send(alice.token, bob.id, { sizeBytes: 1000 });
    expect(await upload(wrongType.upload, videoBytes(1000), { ...wrongType.upload.headers, 'content-type': 'video/webm' })).toBe(200);
    for (const { messageId } of [short, wrongType]) {
      const refused = await waitFor(
        () => call('POST', `/v1/messages/${messageId}/uploaded`, { token: alice.token }),
        (r) => r.status === 422,
      );
      expect((refused.json as { type: string }).type).toBe('urn:playhead:problem:upload-rejected');
      expect(await objectExists(messageId)).toBe(false);
    }
    expect(await packetOf(bob.token)).toMatchObject({ toDownload: [], outgoing: [] });
    expect((await packetOf(alice.token)).outgoing).toEqual([]);
  });

  it('an upload that arrives after its URL expired is refused; the URL is signed for the declared type and length only', async () => {
    const [alice, bob] = await Promise.all([person('alice'), person('bob')]);
    const { messageId, upload: target } = await send(alice.token, bob.id, { sizeBytes: 512 });
    const signed = new URL(target.url);
    expect(signed.pathname).toBe(`/${endpoints.bucketName}/messages/${messageId}`);
    expect(signed.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(signed.searchParams.get('X-Amz-SignedHeaders')?.split(';')).toEqual(expect.arrayContaining(['content-length', 'content-type', 'host']));
    expect(Date.parse(target.expiresAt) - Date.now()).toBeGreaterThan(890_000);

    // The emulator checks no signatures, so the expiry is moved into the past instead of waiting 15 minutes.
    await updateItem({ PK: `MESSAGE#${messageId}`, SK: 'MESSAGE' }, { uploadExpiresAt: new Date(Date.now() - 60_000).toISOString() });
    expect(await upload(target, videoBytes(512))).toBe(200);
    const refused = await waitFor(
      () => call('POST', `/v1/messages/${messageId}/uploaded`, { token: alice.token }),
      (r) => r.status === 422,
    );
    expect((refused.json as { detail: string }).detail).toMatch(/after its upload URL expired/);
    expect(await objectExists(messageId)).toBe(false);
  });

  it('a third user can neither read, download, confirm nor change a message', async () => {
    const [alice, bob, mallory] = await Promise.all([person('alice'), person('bob'), person('mallory')]);
    const pending = await send(alice.token, bob.id);
    expect((await call('POST', `/v1/messages/${pending.messageId}/uploaded`, { token: mallory.token })).status).toBe(404);
    const messageId = await sendAndUpload(alice, bob);
    for (const [method, path, body] of [
      ['GET', `/v1/messages/${messageId}/download`, undefined],
      ['POST', `/v1/messages/${messageId}/state`, { state: 'VIEWED' }],
      ['POST', `/v1/messages/${messageId}/uploaded`, undefined],
    ] as const) {
      const response = await call(method, path, { token: mallory.token, body });
      expect(response.status).toBe(404);
      expect((response.json as { type: string }).type).toBe('urn:playhead:problem:message-not-found');
    }
    // The sender cannot move the recipient's states either.
    expect((await call('POST', `/v1/messages/${messageId}/state`, { token: alice.token, body: { state: 'VIEWED' } })).status).toBe(404);
    expect(await packetOf(mallory.token)).toMatchObject({ toDownload: [], outgoing: [] });
    expect(outgoingState(await packetOf(alice.token), messageId)).toBe('UPLOADED');
    expect((await call('GET', `/v1/messages/${randomUUID()}/download`, { token: bob.token })).status).toBe(404);
  });

  it('refuses what breaks the limits before signing anything, and messages to oneself', async () => {
    const alice = await person('alice');
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ recipientId: 'bob', contentType: 'video/avi', sizeBytes: 10 }, 'body.contentType'],
      [{ recipientId: 'bob', contentType: 'video/mp4', sizeBytes: 100 * 1024 * 1024 + 1 }, 'body.sizeBytes'],
      [{ recipientId: 'bob', contentType: 'video/mp4', sizeBytes: 0 }, 'body.sizeBytes'],
      [{ recipientId: 'bob', contentType: 'video/mp4', sizeBytes: 10, durationSeconds: 181 }, 'body.durationSeconds'],
      [{ recipientId: 'bob\u0000', contentType: 'video/mp4', sizeBytes: 10 }, 'body.recipientId'],
      [{ recipientId: 'b'.repeat(257), contentType: 'video/mp4', sizeBytes: 10 }, 'body.recipientId'],
      [{ recipientId: alice.id, contentType: 'video/mp4', sizeBytes: 10 }, 'body.recipientId'],
    ];
    for (const [body, field] of cases) {
      const response = await call('POST', '/v1/messages', { token: alice.token, body });
      expect(response.status).toBe(400);
      expect((response.json as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain(field);
    }
    expect(await scanItems('senderId = :s', { ':s': alice.id })).toEqual([]);
  });

  it('a message not uploaded yet cannot be confirmed, downloaded or viewed', async () => {
    const [alice, bob] = await Promise.all([person('alice'), person('bob')]);
    const { messageId } = await send(alice.token, bob.id);
    expect((await call('POST', `/v1/messages/${messageId}/uploaded`, { token: alice.token })).status).toBe(409);
    expect((await call('GET', `/v1/messages/${messageId}/download`, { token: bob.token })).status).toBe(409);
    expect((await call('POST', `/v1/messages/${messageId}/state`, { token: bob.token, body: { state: 'VIEWED' } })).status).toBe(409);
  });
});
