import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { StreamPoller } from '../../local/stream-poller';
import { endpoints, newUserId } from '../support/api';

const local = { endpoint: endpoints.dynamodb, region: endpoints.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
const dynamo = new DynamoDBClient(local);
const documents = DynamoDBDocumentClient.from(dynamo);
const streams = new DynamoDBStreamsClient(local);
const pollers: StreamPoller[] = [];

afterEach(async () => {
  await Promise.all(pollers.splice(0).map((p) => p.stop()));
});

async function streamArn(): Promise<string> {
  const table = await dynamo.send(new DescribeTableCommand({ TableName: endpoints.tableName }));
  return table.Table?.LatestStreamArn ?? '';
}

const skOf = (record: DynamoDBRecord) => record.dynamodb?.Keys?.SK?.S ?? '';
const pkOf = (record: DynamoDBRecord) => record.dynamodb?.Keys?.PK?.S ?? '';

async function writeItems(pk: string, count: number): Promise<string[]> {
  const sks: string[] = [];
  for (let i = 0; i < count; i++) {
    const sk = `POLLER-TEST#${String(i).padStart(3, '0')}`;
    await documents.send(new PutCommand({ TableName: endpoints.tableName, Item: { PK: pk, SK: sk, entity: 'poller-test' } }));
    sks.push(sk);
  }
  return sks;
}

async function until(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('local stream poller (the event source mapping stand-in)', () => {
  it('retries from the first failed record of a partial batch failure and drops nothing', async () => {
    const pk = `USER#${newUserId('poller')}`;
    const deliveries: string[][] = [];
    let failedOnce = false;
    const poller = new StreamPoller({
      client: streams,
      streamArn: await streamArn(),
      batchSize: 100,
      retryAttempts: 5,
      checkpointFile: path.join(mkdtempSync(path.join(tmpdir(), 'poller-')), 'checkpoints.json'),
      idleDelayMs: 20,
      log: () => undefined,
      onDiscard: async () => {
        throw new Error('nothing should be discarded');
      },
      handler: async (event) => {
        const mine = event.Records.filter((r) => pkOf(r) === pk);
        if (mine.length > 0) deliveries.push(mine.map(skOf));
        const victim = mine.find((r) => skOf(r).endsWith('#003'));
        if (victim && !failedOnce) {
          failedOnce = true;
          return { batchItemFailures: [{ itemIdentifier: victim.dynamodb?.SequenceNumber ?? '' }] };
        }
        return { batchItemFailures: [] };
      },
    });
    pollers.push(poller);
    const written = await writeItems(pk, 6);
    poller.start();
    // The stream may split the six records over several batches; wait for the retry and the last record.
    await until(() => deliveries.flat().filter((sk) => sk === written[3]).length === 2 && deliveries.flat().includes(written[5] ?? ''));
    const all = deliveries.flat();
    // Every record arrives; only the failed one and those after it are delivered twice.
    for (const sk of written) expect(all).toContain(sk);
    for (const sk of written.slice(0, 3)) expect(all.filter((s) => s === sk)).toHaveLength(1);
    // The next delivery after the failure starts again at the failed record.
    const failedAt = deliveries.findIndex((d) => d.includes(written[3] ?? ''));
    expect(deliveries[failedAt + 1]?.[0]).toBe(written[3]);
    // Order is kept: first appearances follow write order.
    expect([...new Set(all)]).toEqual(written);
  });

  it('sends a record that fails every retry to the failure destination and goes on', async () => {
    const pk = `USER#${newUserId('poison')}`;
    const delivered: string[] = [];
    const discarded: string[] = [];
    const poller = new StreamPoller({
      client: streams,
      streamArn: await streamArn(),
      batchSize: 100,
      retryAttempts: 2,
      checkpointFile: path.join(mkdtempSync(path.join(tmpdir(), 'poller-')), 'checkpoints.json'),
      idleDelayMs: 20,
      log: () => undefined,
      onDiscard: async (records) => {
        discarded.push(...records.map(skOf));
      },
      handler: async (event) => {
        for (const record of event.Records) {
          if (pkOf(record) !== pk) continue;
          if (skOf(record).endsWith('#001')) return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
          delivered.push(skOf(record));
        }
        return { batchItemFailures: [] };
      },
    });
    pollers.push(poller);
    const written = await writeItems(pk, 3);
    poller.start();
    await until(() => delivered.includes(written[2] ?? ''));
    expect(discarded).toEqual([written[1]]);
    expect(delivered.filter((sk) => sk === written[0])).toHaveLength(1);
  });
});
