/**
 * The push figures of `npm run bench`: how many packet entries fit a 4 KB push, pushes per
 * delivered message, sync hints per device-hour while a film plays and during heavy editing,
 * request units and handler time per push, the sender's bundle and cold import, and the price
 * of a million pushes. Runs against the local stack bin/bench/run.ts started, whose push
 * sender delivers to the local APNs and FCM fakes; units come from the capacity meter.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { consumers } from '../../lib/consumers';
import type { BuiltBundle } from '../../local/lambda-bundles';
import { mintToken } from '../../local/local-auth';
import type { DeliveredPush } from '../../local/push-fakes';
import { onCapacity } from '../../lambdas/shared/capacity-meter';
import type { ColdInit } from './bundles';
import { ASSET_DURATION_SECONDS, note, type StackContext } from './context';
import { formatUnits, kb, median, ms, metMark, table } from './format';
import { money, PRICES } from './prices';
import { sleep } from './support';

const MESSAGE_CYCLES = 5;
/** A two-hour film saves its progress every 5 s. */
const FILM_PROGRESS_WRITES = (2 * 3600) / 5;
/** Heavy editing: a watchlist or queue change every 30 s for two hours, on a simulated clock. */
const EDITING_HOURS = 2;
const EDITING_EVERY_SECONDS = 30;
const BUNDLE_TARGET_BYTES = 500 * 1024;
const COLD_IMPORT_TARGET_MS = 60;
/** In AWS a batch holds up to 10 messages; each SQS request carries up to 10. */
const MESSAGES_PER_BATCH = 10;

interface PushBatchLine {
  messages: number;
  sent: number;
  durationMs: number;
  dynamoReadUnits: number;
  dynamoWriteUnits: number;
}

export interface PushFigures {
  fit: { platform: string; toDownload: number; outgoing: number }[];
  cycles: number;
  pushesPerDevicePerStep: number;
  pushesPerMessage: number;
  film: { writes: number; devices: number; hints: number };
  editing: { changes: number; hours: number; devices: number; hints: number };
  units: { pushes: number; batches: number; read: number; write: number; handlerMs: number; messages: number };
}

const user = async (context: StackContext, label: string) => {
  const id = `bench-${label}-${randomUUID()}`;
  return { id, token: await mintToken(context.key, { userId: id }) };
};
const iosToken = () => randomBytes(32).toString('hex');
const androidToken = () => `fcm-${randomBytes(60).toString('base64url')}`;

async function delivered(control: string): Promise<DeliveredPush[]> {
  return ((await (await fetch(`${control}/pushes?after=0`)).json()) as { pushes: DeliveredPush[] }).pushes;
}

async function waitForCount(control: string, tokens: readonly string[], count: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  while ((await delivered(control)).filter((p) => tokens.includes(p.token)).length < count) {
    if (Date.now() > deadline) throw new Error(`fewer than ${count} pushes arrived`);
    await sleep(50);
  }
}

/** The largest packets that still travel whole, with entries shaped as the inbox returns them. */
async function entriesThatFit(): Promise<PushFigures['fit']> {
  const { packetPush } = await import('../../lambdas/push/push-payloads');
  const at = new Date().toISOString();
  const incoming = () => ({ messageId: randomUUID(), senderId: `auth0|${randomBytes(12).toString('hex')}`, state: 'UPLOADED', contentType: 'video/mp4', sizeBytes: 8_421_337, durationSeconds: 42.5, createdAt: at, updatedAt: at });
  const outgoing = () => ({ messageId: randomUUID(), recipientId: `auth0|${randomBytes(12).toString('hex')}`, state: 'DOWNLOADED', updatedAt: at });
  const fits = (platform: 'ios' | 'android', packet: unknown) => {
    const push = packetPush({ platform, token: 'ab'.repeat(32), environment: 'production' }, 'com.example.playhead', packet, 1_800_000_000);
    return push.platform === 'ios' ? 'packet' in JSON.parse(push.body) : 'packet' in push.message.data;
  };
  const most = (platform: 'ios' | 'android', entry: 'toDownload' | 'outgoing') => {
    let n = 0;
    while (fits(platform, { toDownload: [], outgoing: [], asOf: at, [entry]: Array.from({ length: n + 1 }, (): object => (entry === 'toDownload' ? incoming() : outgoing())) })) n++;
    return n;
  };
  return (['ios', 'android'] as const).map((platform) => ({ platform, toDownload: most(platform, 'toDownload'), outgoing: most(platform, 'outgoing') }));
}

export async function measurePush(context: StackContext): Promise<PushFigures> {
  const { expectStatus, endpoints } = context;
  const control = endpoints.push.control;
  const lines: PushBatchLine[] = [];
  const stop = onCapacity((source, tally, fields) => {
    if (source === 'push batch') lines.push({ ...(fields as unknown as PushBatchLine), dynamoReadUnits: tally.readUnits, dynamoWriteUnits: tally.writeUnits });
  });
  try {
    const fit = await entriesThatFit();

    note(`push: ${MESSAGE_CYCLES} message cycles, the recipient on iOS and the sender on Android`);
    let cyclePushes = 0;
    for (let i = 0; i < MESSAGE_CYCLES; i++) {
      const [sender, recipient] = await Promise.all([user(context, 'push-sender'), user(context, 'push-recipient')]);
      const tokens = [iosToken(), androidToken()];
      await expectStatus(200, 'PUT', '/v1/devices/iphone', recipient.token, { platform: 'ios', token: tokens[0] });
      await expectStatus(200, 'PUT', '/v1/devices/pixel', sender.token, { platform: 'android', token: tokens[1] });
      const sent = JSON.parse((await expectStatus(201, 'POST', '/v1/messages', sender.token, { recipientId: recipient.id, contentType: 'video/mp4', sizeBytes: 1024 })).text) as {
        messageId: string;
        upload: { url: string; headers: Record<string, string> };
      };
      const { 'content-length': _length, ...headers } = sent.upload.headers;
      await fetch(sent.upload.url, { method: 'PUT', headers, body: Buffer.alloc(1024, 1) });
      await waitForCount(control, tokens, 2);
      await expectStatus(200, 'POST', `/v1/messages/${sent.messageId}/state`, recipient.token, { state: 'DOWNLOADED' });
      await waitForCount(control, tokens, 4);
      await expectStatus(200, 'POST', `/v1/messages/${sent.messageId}/state`, recipient.token, { state: 'VIEWED' });
      await waitForCount(control, tokens, 6);
      await sleep(1000);
      cyclePushes += (await delivered(control)).filter((p) => tokens.includes(p.token)).length;
    }

    note(`push: a two-hour film (${FILM_PROGRESS_WRITES} progress writes) on a viewer with two devices`);
    const viewer = await user(context, 'push-viewer');
    const filmTokens = [iosToken(), androidToken()];
    await expectStatus(200, 'PUT', '/v1/devices/iphone', viewer.token, { platform: 'ios', token: filmTokens[0] });
    await expectStatus(200, 'PUT', '/v1/devices/tv', viewer.token, { platform: 'android', token: filmTokens[1] });
    const assetId = randomUUID();
    await expectStatus(200, 'PUT', `/v1/catalog/assets/${assetId}`, context.publisher, { title: 'Bench film', durationSeconds: ASSET_DURATION_SECONDS });
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < FILM_PROGRESS_WRITES) {
          const second = 5 * ++next;
          await expectStatus(200, 'PUT', `/v1/progress/${assetId}`, viewer.token, { progress: Math.min(second, ASSET_DURATION_SECONDS) });
        }
      }),
    );
    await sleep(4000);
    const filmHints = (await delivered(control)).filter((p) => filmTokens.includes(p.token)).length;

    note(`push: ${EDITING_HOURS} hours of heavy editing on a simulated clock, through the sender's own hint rules`);
    const editor = await user(context, 'push-editor');
    // Android both: the hint rules do not depend on the platform, and the fake APNs (rightly)
    // refuses a provider token signed at a simulated time in the future.
    const editTokens = [androidToken(), androidToken()];
    await expectStatus(200, 'PUT', '/v1/devices/phone', editor.token, { platform: 'android', token: editTokens[0] });
    await expectStatus(200, 'PUT', '/v1/devices/tablet', editor.token, { platform: 'android', token: editTokens[1] });
    // The same modules the stack's sender runs; the clock is the only thing given from outside.
    const { hintChange, flushHints } = await import('../../lambdas/push/sync-hints');
    const { pushCredentials } = await import('../../lambdas/push/push-credentials');
    const { newTally } = await import('../../lambdas/push/push-delivery');
    const credentials = await pushCredentials();
    const tally = newTally();
    const start = Date.now();
    const changes = (EDITING_HOURS * 3600) / EDITING_EVERY_SECONDS;
    for (let i = 0; i < changes; i++) {
      const now = new Date(start + i * EDITING_EVERY_SECONDS * 1000);
      await flushHints({ userId: editor.id, flush: true }, credentials, now, tally);
      await hintChange({ userId: editor.id, seq: i + 1, types: [i % 2 === 0 ? 'watchlist' : 'queue'] }, credentials, now, tally);
    }
    const editingHints = tally.sent;

    const pushes = lines.reduce((sum, line) => sum + line.sent, 0);
    return {
      fit,
      cycles: MESSAGE_CYCLES,
      pushesPerDevicePerStep: cyclePushes / (MESSAGE_CYCLES * 2 * 3),
      pushesPerMessage: cyclePushes / MESSAGE_CYCLES,
      film: { writes: FILM_PROGRESS_WRITES, devices: 2, hints: filmHints },
      editing: { changes, hours: EDITING_HOURS, devices: 2, hints: editingHints },
      units: {
        pushes,
        batches: lines.filter((line) => line.sent > 0).length,
        read: lines.reduce((sum, line) => sum + line.dynamoReadUnits, 0),
        write: lines.reduce((sum, line) => sum + line.dynamoWriteUnits, 0),
        handlerMs: median(lines.filter((line) => line.sent > 0).map((line) => line.durationMs / line.sent)),
        messages: lines.filter((line) => line.sent > 0).reduce((sum, line) => sum + line.messages, 0),
      },
    };
  } finally {
    stop();
  }
}

export function renderPush(figures: PushFigures, bundles: readonly BuiltBundle[], coldInit: readonly ColdInit[]): string {
  const id = consumers.pushSender.id;
  const bundle = bundles.find((b) => b.id === id);
  const cold = coldInit.find((c) => c.bundle.id === id);
  const coldMs = cold === undefined ? Number.NaN : median(cold.samplesMs);
  // A peer of about the same size, measured in the same run: cold imports move with the machine's load.
  const peer = coldInit.find((c) => c.bundle.id === consumers.propagationWorker.id);
  const peerMs = peer === undefined ? Number.NaN : median(peer.samplesMs);
  const { units, film, editing } = figures;
  const readPerPush = units.read / units.pushes;
  const writePerPush = units.write / units.pushes;
  const filmRate = film.hints / (film.devices * 2);
  const editingRate = editing.hints / (editing.devices * editing.hours);
  // Per push in AWS: one invocation per batch of ten messages, ~1.5 devices a message measured here.
  const pushesPerMessage = units.pushes / Math.max(1, units.messages);
  const pushesPerInvocation = MESSAGES_PER_BATCH * pushesPerMessage;
  const billedMsPerPush = Math.max(units.handlerMs, 30);
  const rows: Array<[string, string, number]> = [
    ['DynamoDB reads', `${formatUnits(readPerPush)} RRU per push`, readPerPush * PRICES.dynamoReadPerMillion],
    ['DynamoDB writes', `${formatUnits(writePerPush)} WRU per push (the claim on the device)`, writePerPush * PRICES.dynamoWritePerMillion],
    ['Lambda requests', `one per ${formatUnits(pushesPerInvocation)} pushes (batches of ${MESSAGES_PER_BATCH})`, PRICES.lambdaRequestsPerMillion / pushesPerInvocation],
    ['Lambda compute (arm64, 512 MB)', `${ms(billedMsPerPush)} ms per push (the handler's time per push measured locally, at least 30 ms for APNs' round trip)`, 1_000_000 * (billedMsPerPush / 1000) * 0.5 * PRICES.lambdaArmGbSecond],
    ['SQS', `send, receive and delete, ten messages a request, per ${formatUnits(pushesPerMessage)} pushes`, (3 / MESSAGES_PER_BATCH / pushesPerMessage) * PRICES.sqsPerMillion],
    ['APNs, FCM', 'no charge', 0],
  ];
  const total = rows.reduce((sum, row) => sum + row[2], 0);
  return [
    '## Push delivery',
    '',
    'The push sender against the local APNs and FCM fakes (`lambdas/push/`, docs/PUSH.md).',
    '',
    table(
      ['figure', 'measured', 'target'],
      [
        ['PushSender bundle', bundle === undefined ? '?' : `${kb(bundle.bytes)} KB`, `≤ 500 KB ${metMark(bundle !== undefined && bundle.bytes <= BUNDLE_TARGET_BYTES)}`],
        ['PushSender cold import (median)', `${ms(coldMs)} ms (PropagationWorker in the same run: ${ms(peerMs)} ms)`, `≤ ${COLD_IMPORT_TARGET_MS} ms ${metMark(coldMs <= COLD_IMPORT_TARGET_MS)}`],
        ...figures.fit.map((f) => [`packet entries in one push (${f.platform})`, `${f.toDownload} to download, or ${f.outgoing} outgoing`, 'more travel as `pollInbox`']),
        ['pushes per delivered message', `${formatUnits(figures.pushesPerMessage)} (${formatUnits(figures.pushesPerDevicePerStep)} per device per state change; ${figures.cycles} cycles, one device each side)`, 'one per device per state change'],
        ['hints per device-hour, two-hour film', `${formatUnits(filmRate)} (${film.hints} hints for ${film.writes} progress writes, ${film.devices} devices)`, `0 ${metMark(filmRate === 0)}`],
        ['hints per device-hour, heavy editing', `${formatUnits(editingRate)} (${editing.hints} hints for ${editing.changes} changes in ${editing.hours} h, ${editing.devices} devices)`, `≤ 4 ${metMark(editingRate <= 4)}`],
        ['request units per push', `${formatUnits(readPerPush)} read, ${formatUnits(writePerPush)} write (${units.pushes} pushes)`, ''],
      ],
      ['l', 'r', 'l'],
    ),
    '',
    'Editing runs the sender\'s hint rules (`lambdas/push/sync-hints.ts`) on a simulated clock against DynamoDB Local and the fakes: one change every 30 s, alternately watchlist and queue. With a 20-minute window a device gets the first change at once, then one trailing hint per window.',
    '',
    '### Price per million pushes',
    '',
    table(['item', 'basis', 'per million pushes'], rows.map(([item, basis, price]) => [item, basis, money(price)]), ['l', 'l', 'r']),
    '',
    `**Total: ${money(total)} per million pushes**, before free tiers. SNS mobile push would add about $1.00 per million (a publish and a delivery) on top of the same queue and table work.`,
    '',
  ].join('\n');
}
