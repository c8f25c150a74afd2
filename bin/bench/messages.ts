/**
 * The video message figures of `npm run bench` (issue 6): request units and Lambda invocations
 * per delivered message (send, confirm, notify, download, view), and a monthly cost estimate
 * for one million messages at AWS list prices. Runs against the local stack bin/bench/run.ts
 * started; units come from the capacity meter's reports.
 */
import { formatUnits } from './format';
import { drainStream, sleep } from './support';

/** Messages sent, each between a new pair of users, each taken through the whole cycle. */
const MESSAGES = 20;

interface UnitsLine {
  dynamoReadUnits: number;
  dynamoWriteUnits: number;
}

export interface MessageBenchContext {
  expectStatus(status: number, method: string, route: string, token: string | undefined, body?: unknown): Promise<{ status: number; text: string; elapsedMs: number }>;
  capture: {
    take(): Array<UnitsLine & { route: string; durationMs: number }>;
    takeBatches(): Array<UnitsLine & { records: number; feedEntries: number }>;
    takeUploads(): Record<string, unknown>[];
  };
  newUser(): Promise<{ id: string; token: string }>;
  note(line: string): void;
}

interface StepFigure {
  step: string;
  how: string;
  readUnits: number;
  writeUnits: number;
  invocations: number;
  handlerMs: number;
}

export interface MessageFigures {
  messages: number;
  videoBytes: number;
  steps: StepFigure[];
  streamBatches: number;
  notifications: number;
}

const sum = <T>(items: readonly T[], of: (item: T) => number) => items.reduce((total, item) => total + of(item), 0);

export async function measureMessages(context: MessageBenchContext): Promise<MessageFigures> {
  const { expectStatus, capture } = context;
  context.note(`messages: ${MESSAGES} messages through send, upload, confirm, notify, download, view`);
  const size = 256 * 1024;
  const bytes = Buffer.alloc(size, 7);
  // Whatever ran before must not count here.
  await drainStream(capture);
  capture.take();
  capture.takeUploads();

  const perStep = new Map<string, Array<UnitsLine & { durationMs: number }>>();
  const record = (step: string, logs: Array<UnitsLine & { durationMs: number }>) => perStep.set(step, [...(perStep.get(step) ?? []), ...logs]);
  for (let i = 0; i < MESSAGES; i++) {
    const [sender, recipient] = await Promise.all([context.newUser(), context.newUser()]);
    const sent = JSON.parse((await expectStatus(201, 'POST', '/v1/messages', sender.token, { recipientId: recipient.id, contentType: 'video/mp4', sizeBytes: size, durationSeconds: 20 })).text) as {
      messageId: string;
      upload: { url: string; headers: Record<string, string> };
    };
    record('send', capture.take());
    const { 'content-length': _length, ...headers } = sent.upload.headers;
    const put = await fetch(sent.upload.url, { method: 'PUT', headers, body: bytes });
    if (put.status !== 200) throw new Error(`upload answered ${put.status}`);
    // Wait for the bucket's event to be handled (the recipient's packet lists the message), then read what it cost.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const packet = JSON.parse((await expectStatus(200, 'GET', '/v1/messages/inbox', recipient.token)).text) as { toDownload: Array<{ messageId: string }> };
      if (packet.toDownload.some((m) => m.messageId === sent.messageId)) break;
      if (Date.now() > deadline) throw new Error(`message ${sent.messageId} was never delivered`);
      await sleep(20);
    }
    capture.take();
    const confirmed = capture.takeUploads();
    record('confirm', confirmed.map((line) => ({ dynamoReadUnits: Number(line.dynamoReadUnits), dynamoWriteUnits: Number(line.dynamoWriteUnits), durationMs: 0 })));
    await expectStatus(200, 'GET', '/v1/messages/inbox', recipient.token);
    record('poll', capture.take());
    await expectStatus(200, 'GET', `/v1/messages/${sent.messageId}/download`, recipient.token);
    record('download', capture.take());
    await expectStatus(200, 'POST', `/v1/messages/${sent.messageId}/state`, recipient.token, { state: 'DOWNLOADED' });
    record('downloaded', capture.take());
    await expectStatus(200, 'POST', `/v1/messages/${sent.messageId}/state`, recipient.token, { state: 'VIEWED' });
    record('viewed', capture.take());
  }
  const batches = await drainStream(capture);
  const mean = (step: string, of: (l: UnitsLine & { durationMs: number }) => number) => sum(perStep.get(step) ?? [], of) / MESSAGES;
  const step = (name: string, how: string, invocations = 1): StepFigure => ({
    step: name,
    how,
    readUnits: mean(name, (l) => l.dynamoReadUnits),
    writeUnits: mean(name, (l) => l.dynamoWriteUnits),
    invocations,
    handlerMs: mean(name, (l) => l.durationMs),
  });
  return {
    messages: MESSAGES,
    videoBytes: size,
    steps: [
      step('send', '`POST /v1/messages`: the message item, a signed PUT'),
      step('confirm', 'S3 Object Created → EventBridge → confirm: HEAD, transaction (message + both slots)'),
      step('poll', '`GET /v1/messages/inbox` by the recipient (the same packet the push carried)'),
      step('download', '`GET …/download`: a signed GET'),
      step('downloaded', '`POST …/state` DOWNLOADED: both slots in one transaction'),
      step('viewed', '`POST …/state` VIEWED: both slots, and the video tagged for early expiry'),
      {
        step: 'stream router',
        how: 'feed entries for the 6 slot changes, and an info packet per changed user per batch',
        readUnits: sum(batches, (b) => b.dynamoReadUnits) / MESSAGES,
        writeUnits: sum(batches, (b) => b.dynamoWriteUnits) / MESSAGES,
        invocations: batches.length / MESSAGES,
        handlerMs: 0,
      },
    ],
    streamBatches: batches.length,
    notifications: sum(batches, (b) => Number((b as unknown as { notifications?: number }).notifications ?? 0)),
  };
}

/** Per delivered message: the request units summed over the steps, and the API requests made. */
export function messageTotals(figures: MessageFigures) {
  const totalRead = sum(figures.steps, (s) => s.readUnits);
  const totalWrite = sum(figures.steps, (s) => s.writeUnits);
  // Transactions: DynamoDB Local reports one unit per item; AWS bills two. Confirm (3 items) and two state moves (2 items each).
  const transactionalItems = 3 + 2 + 2;
  const apiRequests = figures.steps.filter((s) => !['confirm', 'stream router'].includes(s.step)).length;
  return { totalRead, totalWrite, awsWrite: totalWrite + transactionalItems, apiRequests };
}

export function renderMessages(figures: MessageFigures): string {
  const units = formatUnits;
  const { totalRead, totalWrite, awsWrite } = messageTotals(figures);
  return `## Video messages: cost per delivered message (issue 6)

${figures.messages} messages of ${figures.videoBytes / 1024} KB, each between a new pair of users, taken through the whole cycle on the local stack:
send, upload (straight to the S3 emulator), confirmation by the bucket's event, the recipient's poll, download link,
DOWNLOADED, VIEWED. Means per message, from the handlers' own request-unit tallies (DynamoDB Local reports one unit per
transactional item; AWS bills two).

| step | what | RCU | WCU | Lambda invocations |
|---|---|---:|---:|---:|
${figures.steps.map((s) => `| ${s.step} | ${s.how} | ${units(s.readUnits)} | ${units(s.writeUnits)} | ${units(s.invocations)} |`).join('\n')}
| **total** | | **${units(totalRead)}** | **${units(totalWrite)}** (AWS: ${units(awsWrite)}) | |

Notifications sent: ${figures.notifications} packets for ${figures.messages} messages (${units(figures.notifications / figures.messages)} per message; one per changed user per
stream batch, so changes close together share a push). Locally the stream router ran ${figures.streamBatches} batches; in AWS its one-second
batching window groups many users' changes into one invocation.`;
}
