/**
 * What an operator reads from a function's log: every line names the invocation (cold start,
 * function name, request id, from the Lambda context), and the business metrics arrive as
 * CloudWatch EMF lines. Proven on the deployable bundles in a bare node, as the Lambda runtime
 * loads them, and on the local stack, whose log is the functions' log.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { marshall } from '@aws-sdk/util-dynamodb';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { esbuildOptionsFor } from '../../lib/bundling';
import { queueDefinitions, TABLE_NAME_ENV } from '../../lib/queue-definitions';
import { repoRoot } from '../../local/paths';
import { lambdaContextFor } from '../../local/lambda-context';
import { lambdaFunctions } from '../../local/lambda-bundles';
import { call, endpoints, newUserId, tokenFor } from '../support/api';
import { openSession, push } from '../support/sync';
import { waitFor } from '../support/wait';

type Line = Record<string, unknown>;

const stackEnv: Record<string, string> = {
  AWS_REGION: endpoints.region,
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
  AWS_ENDPOINT_URL_SQS: endpoints.sqs,
  [TABLE_NAME_ENV]: endpoints.tableName,
  ...Object.fromEntries(queueDefinitions.map((q) => [q.urlEnv, endpoints.queues[q.name] ?? ''])),
};

// Invokes the handler once per context given, in one process: a container that serves a cold invocation, then a warm one.
const CHILD_SCRIPT = `
const [bundleUrl, eventJson, contextsJson] = process.argv.slice(1);
const mod = await import(bundleUrl);
for (const context of JSON.parse(contextsJson)) {
  await mod.handler(JSON.parse(eventJson), { ...context, getRemainingTimeInMillis: () => 30000 });
}
`;

let outDir: string;
const bundles: Record<string, string> = {};

beforeAll(async () => {
  outDir = mkdtempSync(path.join(tmpdir(), 'playhead-observability-'));
  await Promise.all(
    lambdaFunctions.filter((fn) => fn.id === 'GetHealth' || fn.id === 'StreamRouter').map(async ({ id, entry }) => {
      const file = path.join(outDir, id, 'index.mjs');
      await build(esbuildOptionsFor(path.join(repoRoot, entry), file));
      bundles[id] = file;
    }),
  );
});

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

async function runBundle(id: string, event: unknown, requestIds: string[], env: Record<string, string> = {}): Promise<Line[]> {
  const contexts = requestIds.map((requestId) => {
    const { getRemainingTimeInMillis: _, done: __, fail: ___, succeed: ____, ...plain } = lambdaContextFor(id, requestId);
    return plain;
  });
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', CHILD_SCRIPT, pathToFileURL(bundles[id] ?? '').href, JSON.stringify(event), JSON.stringify(contexts)], {
    // Lambda sets the initialization type; Powertools reports a cold start only for `on-demand`.
    env: { PATH: process.env.PATH ?? '', AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand', ...env },
    timeout: 30_000,
  });
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Line);
}

const isEmf = (line: Line) => typeof line._aws === 'object' && line._aws !== null;

/** The EMF shape CloudWatch requires, with Playhead's namespace and its one dimension. */
function expectEmf(line: Line | undefined, metric: string, value: number): void {
  expect(line).toMatchObject({
    _aws: { Timestamp: expect.any(Number), CloudWatchMetrics: [{ Namespace: 'Playhead', Dimensions: [['service']], Metrics: expect.arrayContaining([{ Name: metric, Unit: 'Count' }]) }] },
    service: 'playhead',
    [metric]: value,
  });
}

describe('log lines name their invocation', () => {
  it("an HTTP route's request line carries the Lambda context, cold then warm", async () => {
    const event = {
      version: '2.0',
      routeKey: 'GET /v1/health',
      rawPath: '/v1/health',
      rawQueryString: '',
      headers: {},
      isBase64Encoded: false,
      requestContext: { requestId: 'gw-1', routeKey: 'GET /v1/health', http: { method: 'GET', path: '/v1/health' } },
    };
    const lines = (await runBundle('GetHealth', event, ['first-invocation', 'second-invocation'])).filter((line) => line.message === 'request');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      cold_start: true,
      function_name: 'playhead-local-GetHealth',
      function_request_id: 'first-invocation',
      function_arn: 'arn:aws:lambda:local:000000000000:function:playhead-local-GetHealth',
      function_memory_size: '512',
      service: 'playhead',
    });
    expect(lines[1]).toMatchObject({ cold_start: false, function_request_id: 'second-invocation' });
  });

  it("the stream router's batch line carries it, and its feed entries arrive as an EMF line", async () => {
    const userId = newUserId('emf');
    const records = [1, 2, 3].map((i) => {
      const assetId = randomUUID();
      const item = { PK: `USER#${userId}`, SK: `WATCHLIST#${assetId}`, entity: 'watchlist-item', assetId, addedAt: new Date().toISOString() };
      return {
        eventID: `emf-${i}`,
        eventName: 'INSERT',
        dynamodb: { SequenceNumber: String(1000 + i), Keys: marshall({ PK: item.PK, SK: item.SK }), NewImage: marshall(item), ApproximateCreationDateTime: Math.floor(Date.now() / 1000) },
      };
    });
    const lines = await runBundle('StreamRouter', { Records: records }, ['router-invocation'], stackEnv);
    expect(lines.find((line) => line.message === 'stream batch')).toMatchObject({ feedEntries: 3, cold_start: true, function_name: 'playhead-local-StreamRouter', function_request_id: 'router-invocation' });
    const metrics = lines.filter(isEmf);
    expect(metrics).toHaveLength(1);
    expectEmf(metrics[0], 'FeedEntriesWritten', 3);
  });
});

describe('the local stack', () => {
  const stackLog = path.join(inject('stateDir'), 'stack.log');
  const stackLines = (): Line[] =>
    readFileSync(stackLog, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Line];
        } catch {
          return [];
        }
      });

  it("writes a sync push's conflicts to the function's log as an EMF line", async () => {
    const token = await tokenFor(newUserId('conflicts'));
    for (const key of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) {
      await call('PUT', `/v1/datasets/emf/records/${key}`, { token, body: { value: 1 } });
      await call('PUT', `/v1/datasets/emf/records/${key}`, { token, body: { value: 2 } });
    }
    const session = await openSession(token, 'phone');
    const results = await push(
      token,
      session.sessionId,
      ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((key, i) => ({ id: `m${i}`, type: 'dataset-record', op: 'upsert', key: `emf/${key}`, value: 3, baseVersion: 1 })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(7).fill('conflict'));
    // Seven conflicts in one push, a count no other test's push makes.
    const line = (await waitFor(async () => stackLines().filter((l) => isEmf(l) && l.SyncConflicts === 7), (found) => found.length > 0))[0];
    expectEmf(line, 'SyncConflicts', 7);
  });

  it("gives a queue consumer the Lambda context: the push sender's line about a malformed message names it", async () => {
    const sqs = new SQSClient({ endpoint: endpoints.sqs, region: endpoints.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    // The hint-flushes queue: no test reads it, and the sender drops what it cannot parse with an error line.
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: endpoints.queues['hint-flushes'], MessageBody: JSON.stringify({ neither: 'a packet nor a notice' }) }));
    const found = await waitFor(
      async () => stackLines().filter((line) => line.messageId === sent.MessageId && line.message === 'push message is malformed'),
      (lines) => lines.length > 0,
    );
    expect(found[0]).toMatchObject({ level: 'ERROR', function_name: 'playhead-local-PushSender', function_request_id: expect.any(String), cold_start: expect.any(Boolean) });
  });
});
