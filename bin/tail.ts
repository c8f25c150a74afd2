/**
 * `npm run -s tail -- analytics` prints the messages of a local queue as JSON lines, as they
 * arrive, so a BI developer can watch events. Messages are consumed (deleted) once printed;
 * a queue the push sender consumes (`notifications`, `changes`) is read through its local copy,
 * so tailing never takes a message from the sender.
 *
 * `npm run -s tail -- pushes` prints each push the local APNs and FCM fakes accepted, as
 * `{platform, token, headers, payload}`, from the moment the tail starts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { defaultStateDir, stateFiles } from '../local/paths';
import type { DeliveredPush } from '../local/push-fakes';
import type { Endpoints } from '../local/stack';

const file = stateFiles(process.env.PLAYHEAD_STATE_DIR || defaultStateDir).endpoints;
if (!existsSync(file)) {
  console.error('No local stack found: run `npm start` first.');
  process.exit(1);
}
const endpoints = JSON.parse(readFileSync(file, 'utf8')) as Endpoints;
const name = process.argv[2] ?? 'analytics';
let running = true;
process.on('SIGINT', () => (running = false));

async function tailPushes(control: string): Promise<void> {
  let after = ((await (await fetch(`${control}/pushes?after=0`)).json()) as { next: number }).next;
  while (running) {
    const answer = (await (await fetch(`${control}/pushes?after=${after}`)).json()) as { pushes: DeliveredPush[]; next: number };
    for (const { platform, token, headers, payload } of answer.pushes) process.stdout.write(`${JSON.stringify({ platform, token, headers, payload })}\n`);
    after = answer.next;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function tailQueue(queueUrl: string): Promise<void> {
  const sqs = new SQSClient({ endpoint: endpoints.sqs, region: endpoints.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, useQueueUrlAsEndpoint: false });
  while (running) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    const messages = out.Messages ?? [];
    for (const message of messages) process.stdout.write(`${message.Body ?? ''}\n`);
    if (messages.length > 0) {
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
    }
  }
}

if (name === 'pushes') {
  await tailPushes(endpoints.push.control);
} else {
  const queueUrl = endpoints.queues[`${name}-observed`] ?? endpoints.queues[name];
  if (!queueUrl) {
    const names = Object.keys(endpoints.queues).filter((queue) => !queue.endsWith('-observed'));
    console.error(`No queue '${name}'. Queues: ${names.join(', ')}; or 'pushes' for the pushes the local APNs and FCM accepted.`);
    process.exit(2);
  }
  await tailQueue(queueUrl);
}
