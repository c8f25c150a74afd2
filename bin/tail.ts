/**
 * `npm run -s tail -- analytics` prints the messages of a local queue as JSON lines, as they
 * arrive, so a BI developer can watch events. Messages are consumed (deleted) once printed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { defaultStateDir, stateFiles } from '../local/paths';
import type { Endpoints } from '../local/stack';

const file = stateFiles(process.env.PLAYHEAD_STATE_DIR || defaultStateDir).endpoints;
if (!existsSync(file)) {
  console.error('No local stack found: run `npm start` first.');
  process.exit(1);
}
const endpoints = JSON.parse(readFileSync(file, 'utf8')) as Endpoints;
const name = process.argv[2] ?? 'analytics';
const queueUrl = endpoints.queues[name];
if (!queueUrl) {
  console.error(`No queue '${name}'. Queues: ${Object.keys(endpoints.queues).join(', ')}`);
  process.exit(2);
}
const sqs = new SQSClient({ endpoint: endpoints.sqs, region: endpoints.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, useQueueUrlAsEndpoint: false });
let running = true;
process.on('SIGINT', () => (running = false));
while (running) {
  const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
  const messages = out.Messages ?? [];
  for (const message of messages) process.stdout.write(`${message.Body ?? ''}\n`);
  if (messages.length > 0) {
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
  }
}
