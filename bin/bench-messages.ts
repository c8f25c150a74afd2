/**
 * The video message figures of `npm run bench` (issue 6): request units and Lambda invocations
 * per delivered message (send, confirm, notify, download, view), and a monthly cost estimate
 * for one million messages at AWS list prices. Runs against the local stack bin/bench.ts
 * started; units come from the handlers' own log lines.
 */
import { drainStream, sleep } from './bench-support';

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
    takeLines(message: string): Record<string, unknown>[];
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
  capture.takeLines('upload event');

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
    const confirmed = capture.takeLines('upload event');
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


/** AWS list prices, us-east-1, on-demand, as of 2026 (assumptions written out in the report). */
const PRICES = {
  apiGatewayPerMillion: 1.0,
  lambdaRequestsPerMillion: 0.2,
  lambdaArmGbSecond: 0.0000133334,
  dynamoWritePerMillion: 0.625,
  dynamoReadPerMillion: 0.125,
  sqsPerMillion: 0.4,
  s3PutPer1000: 0.005,
  s3GetPer1000: 0.0004,
  s3StorageGbMonth: 0.023,
  transferOutPerGb: 0.09,
  logsIngestPerGb: 0.5,
};
const MONTHLY_MESSAGES = 1_000_000;
const AVERAGE_VIDEO_MB = 10;
const LAMBDA_MEMORY_GB = 0.5;
/** Billed duration of one invocation (ms), rounded up generously from the handler times measured locally. */
const BILLED_MS = 40;
const STORED_DAYS = 2;
/** In AWS the stream router's 1 s batching window groups many users' changes; assume 50 changes per batch. */
const CHANGES_PER_STREAM_BATCH = 50;

export function renderMessages(figures: MessageFigures): string {
  const units = (value: number) => String(Math.round(value * 100) / 100);
  const apiSteps = figures.steps.filter((s) => !['confirm', 'stream router'].includes(s.step));
  const totalRead = sum(figures.steps, (s) => s.readUnits);
  const totalWrite = sum(figures.steps, (s) => s.writeUnits);
  const apiRequests = apiSteps.length;
  // Transactions: DynamoDB Local reports one unit per item; AWS bills two. Confirm (3 items) and two state moves (2 items each).
  const transactionalItems = 3 + 2 + 2;
  const awsWrite = totalWrite + transactionalItems;
  const streamInvocations = 6 / CHANGES_PER_STREAM_BATCH;
  const lambdaInvocations = apiRequests + 1 + streamInvocations;
  const m = MONTHLY_MESSAGES / 1_000_000;
  const gb = (MONTHLY_MESSAGES * AVERAGE_VIDEO_MB) / 1024;
  const rows: Array<[string, string, number]> = [
    ['API Gateway (HTTP API)', `${apiRequests} requests per message`, apiRequests * m * PRICES.apiGatewayPerMillion],
    ['Lambda requests', `${units(lambdaInvocations)} invocations per message`, lambdaInvocations * m * PRICES.lambdaRequestsPerMillion],
    ['Lambda compute (arm64, 512 MB)', `${BILLED_MS} ms billed per invocation`, lambdaInvocations * MONTHLY_MESSAGES * (BILLED_MS / 1000) * LAMBDA_MEMORY_GB * PRICES.lambdaArmGbSecond],
    ['DynamoDB writes (on demand)', `${units(awsWrite)} WRU per message (transactions at 2 per item)`, awsWrite * m * PRICES.dynamoWritePerMillion],
    ['DynamoDB reads (on demand)', `${units(totalRead)} RRU per message`, totalRead * m * PRICES.dynamoReadPerMillion],
    ['SQS notifications', '2 users × (send + receive + delete) per state change, 3 changes', 18 * m * PRICES.sqsPerMillion],
    ['S3 requests', 'PUT + tagging (PUT price); HEAD + GET (GET price)', MONTHLY_MESSAGES * (2 * PRICES.s3PutPer1000 + 2 * PRICES.s3GetPer1000) / 1000],
    ['S3 storage', `${AVERAGE_VIDEO_MB} MB kept about ${STORED_DAYS} days (viewed videos expire within a day of viewing)`, gb * (STORED_DAYS / 30) * PRICES.s3StorageGbMonth],
    ['Data transfer out', `${AVERAGE_VIDEO_MB} MB downloaded once (uploads are free)`, gb * PRICES.transferOutPerGb],
    ['CloudWatch Logs', 'about 3 KB of JSON log lines per message', (MONTHLY_MESSAGES * 3) / 1024 / 1024 * PRICES.logsIngestPerGb],
  ];
  const total = sum(rows, (r) => r[2]);
  const withoutTransfer = total - (rows.find((r) => r[0] === 'Data transfer out')?.[2] ?? 0);
  const money = (value: number) => `$${value.toFixed(2)}`;
  return `## Video messages: cost per delivered message (issue 6)

${figures.messages} messages of ${figures.videoBytes / 1024} KB, each between a new pair of users, taken through the whole cycle on the local stack:
send, upload (straight to the S3 emulator), confirmation by the bucket's event, the recipient's poll, download link,
DOWNLOADED, VIEWED. Means per message, from the handlers' own request-unit logs (DynamoDB Local reports one unit per
transactional item; AWS bills two).

| step | what | RCU | WCU | Lambda invocations |
|---|---|---:|---:|---:|
${figures.steps.map((s) => `| ${s.step} | ${s.how} | ${units(s.readUnits)} | ${units(s.writeUnits)} | ${units(s.invocations)} |`).join('\n')}
| **total** | | **${units(totalRead)}** | **${units(totalWrite)}** (AWS: ${units(awsWrite)}) | |

Notifications sent: ${figures.notifications} packets for ${figures.messages} messages (${units(figures.notifications / figures.messages)} per message; one per changed user per
stream batch, so changes close together share a push). Locally the stream router ran ${figures.streamBatches} batches; in AWS its one-second
batching window groups many users' changes into one invocation.

### Monthly estimate: ${MONTHLY_MESSAGES.toLocaleString('en-US')} messages

Assumptions: us-east-1 list prices (HTTP API $1.00 per million requests; Lambda arm64 $0.20 per million requests and
$0.0000133334 per GB-second; DynamoDB on demand $0.625 per million write and $0.125 per million read request units; SQS
$0.40 per million requests; S3 Standard $0.005 per 1,000 PUTs, $0.0004 per 1,000 GETs, $0.023 per GB-month; data
transfer out $0.09 per GB; CloudWatch Logs $0.50 per GB ingested); no free tier; videos average ${AVERAGE_VIDEO_MB} MB (30 s of phone
video), each downloaded once; ${BILLED_MS} ms billed per invocation at 512 MB; the recipient polls once per message; the stream
router sees ${CHANGES_PER_STREAM_BATCH} changes per invocation; the push sender's own cost (APNs/FCM are free) is the SQS requests.

| item | basis | per month |
|---|---|---:|
${rows.map((r) => `| ${r[0]} | ${r[1]} | ${money(r[2])} |`).join('\n')}
| **total** | | **${money(total)}** |

Everything but the bytes costs ${money(withoutTransfer)} a month, about ${money((withoutTransfer / MONTHLY_MESSAGES) * 1000)} per thousand messages; moving the
video bytes out of AWS is ${Math.round((1 - withoutTransfer / total) * 100)} % of the bill, and no design of the control plane changes that (a CDN in front
of the bucket mostly moves it). The bytes never pass through Lambda or API Gateway, which would otherwise dominate.
`;
}
