/**
 * `npm run -s tail -- <queue> [--keep]` prints the messages of a local queue as JSON lines as
 * they arrive, until Ctrl-C. Without `--keep` each printed message is deleted, so a second run
 * starts where this one stopped; with it, nothing is deleted and what was printed is visible
 * again when the tail stops. `notifications` and `changes` are read through their local copies,
 * so tailing never takes a message from the push sender.
 *
 * `npm run -s tail -- pushes` prints each push the local APNs and FCM fakes accepted, as
 * `{platform, token, headers, payload}`, from the moment the tail starts.
 * `npm run -s tail -- --list` names the queues and what each carries.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type ConsumerDefinition, consumers } from '../lib/consumers';
import { dlqName, queueDefinitions } from '../lib/queue-definitions';
import { defaultStateDir, stateFiles } from '../local/paths';
import type { DeliveredPush } from '../local/push-fakes';
import type { Endpoints } from '../local/stack';

// The AWS SDK's notice that its releases after January 2027 need Node 22 (printed when a client is
// made) speaks of the SDK's future, not of this local tool.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const usage = `usage: npm run -s tail -- <queue> [--keep]    print a queue's messages as JSON lines, until Ctrl-C
       npm run -s tail -- pushes              print the pushes the local APNs and FCM accepted
       npm run -s tail -- --list              name the queues and what each carries

Without --keep, each message printed is deleted (a second run shows only newer ones);
with --keep nothing is deleted, and the messages are visible again once the tail stops.`;

/** Seconds a kept message stays hidden from others while this tail holds it (it is released at Ctrl-C). */
const KEEP_HIDDEN_SECONDS = 30;

function commandLine() {
  try {
    return parseArgs({ allowPositionals: true, options: { keep: { type: 'boolean' }, list: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    process.exit(2);
  }
}
const args = commandLine();
if (args.values.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}

const file = stateFiles(process.env.PLAYHEAD_STATE_DIR || defaultStateDir).endpoints;
if (!existsSync(file)) {
  console.error('No local stack found: run `npm start` first.');
  process.exit(1);
}
const endpoints = JSON.parse(readFileSync(file, 'utf8')) as Endpoints;

/** What each name carries, from the queue definitions, the consumers and the local stand-ins. */
function queueCatalogue(): Array<{ name: string; carries: string }> {
  const consumerOf = new Map<string, string>();
  const failureQueues = new Map<string, string>();
  for (const consumer of Object.values(consumers) as readonly ConsumerDefinition[]) {
    const { trigger } = consumer;
    if (trigger.kind === 'queue') consumerOf.set(trigger.queue, consumer.id);
    if (trigger.kind === 'queues') for (const source of trigger.sources) consumerOf.set(source.queue, consumer.id);
    if (trigger.kind === 'stream') failureQueues.set(trigger.failureQueueName, consumer.id);
  }
  const rows: Array<{ name: string; carries: string }> = [];
  for (const queue of queueDefinitions) {
    const consumer = consumerOf.get(queue.name);
    const observed = endpoints.queues[`${queue.name}-observed`] !== undefined;
    const note = consumer === undefined ? '' : observed ? ` (tail reads a copy; ${consumer} keeps its own)` : ` (${consumer} consumes it: tail without --keep takes its work)`;
    rows.push({ name: queue.name, carries: `${queue.description}${note}` });
    rows.push({ name: dlqName(queue.name), carries: `messages of ${queue.name} that failed ${queue.maxReceiveCount} receives` });
  }
  for (const [name, consumer] of failureQueues) rows.push({ name, carries: `stream records ${consumer} failed on every retry: where they are in the stream, not what they hold` });
  rows.push({ name: 'pushes', carries: 'each push the local APNs and FCM fakes accepted, from the moment the tail starts (not a queue)' });
  return rows.filter((row) => row.name === 'pushes' || endpoints.queues[row.name] !== undefined);
}

if (args.values.list) {
  const rows = queueCatalogue();
  const width = Math.max(...rows.map((row) => row.name.length));
  process.stdout.write(`${rows.map((row) => `${row.name.padEnd(width)}  ${row.carries}`).join('\n')}\n`);
  process.exit(0);
}

const name = args.positionals[0];
if (name === undefined || args.positionals.length > 1) {
  console.error(usage);
  process.exit(2);
}

let running = true;
process.on('SIGINT', () => (running = false));
process.on('SIGTERM', () => (running = false));

async function tailPushes(control: string): Promise<void> {
  let after = ((await (await fetch(`${control}/pushes?after=0`)).json()) as { next: number }).next;
  while (running) {
    const answer = (await (await fetch(`${control}/pushes?after=${after}`)).json()) as { pushes: DeliveredPush[]; next: number };
    for (const { platform, token, headers, payload } of answer.pushes) process.stdout.write(`${JSON.stringify({ platform, token, headers, payload })}\n`);
    after = answer.next;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function tailQueue(queueUrl: string, keep: boolean): Promise<void> {
  const sqs = new SQSClient({ endpoint: endpoints.sqs, region: endpoints.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, useQueueUrlAsEndpoint: false });
  // Kept messages come back once their hidden time is over: print each once, and release the latest receipt at the end.
  const held = new Map<string, string>();
  while (running) {
    const out = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, ...(keep ? { VisibilityTimeout: KEEP_HIDDEN_SECONDS } : {}) }),
    );
    const messages = out.Messages ?? [];
    for (const message of messages) {
      const id = message.MessageId ?? '';
      if (!keep || !held.has(id)) process.stdout.write(`${message.Body ?? ''}\n`);
      if (keep && message.ReceiptHandle) held.set(id, message.ReceiptHandle);
    }
    if (!keep && messages.length > 0) {
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
    }
  }
  const receipts = [...held.values()];
  for (let start = 0; start < receipts.length; start += 10) {
    const entries = receipts.slice(start, start + 10).map((handle, i) => ({ Id: String(i), ReceiptHandle: handle, VisibilityTimeout: 0 }));
    await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
  }
  sqs.destroy();
}

if (name === 'pushes') {
  await tailPushes(endpoints.push.control);
} else {
  const queueUrl = endpoints.queues[`${name}-observed`] ?? endpoints.queues[name];
  if (!queueUrl) {
    console.error(`No queue '${name}'. These are the names (npm run -s tail -- --list says what each carries):\n  ${queueCatalogue().map((row) => row.name).join(', ')}`);
    process.exit(2);
  }
  await tailQueue(queueUrl, args.values.keep === true);
}
