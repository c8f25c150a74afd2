import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';

// Failure paths only: a holder update fails mid-page. The happy path runs against the real engines (test/integration/propagation.test.ts).
const dynamoMock = mockClient(DynamoDBDocumentClient);
const sqsMock = mockClient(SQSClient);
let handler: typeof import('../../lambdas/propagation/handler').handler;

beforeAll(async () => {
  process.env.TABLE_NAME ??= 'unit-test-table';
  process.env.PROPAGATION_QUEUE_URL = 'https://sqs.example/propagation';
  ({ handler } = await import('../../lambdas/propagation/handler'));
});
beforeEach(() => {
  dynamoMock.reset();
  sqsMock.reset();
});

const episodeId = '00000000-0000-4000-8000-000000000001';
const episode = {
  PK: `EPISODE#${episodeId}`,
  SK: 'EPISODE',
  entity: 'episode',
  episodeId,
  showId: '00000000-0000-4000-8000-000000000002',
  title: 'Corrected',
  audioUrl: 'https://cdn.example.org/a.mp3',
  contentType: 'audio/mpeg',
  durationSeconds: 60,
  publishedAt: '2026-11-01T00:00:00.000Z',
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-02T00:00:00.000Z',
};
const holders = ['a', 'b', 'c'].map((user) => ({ PK: `USER#${user}`, SK: `QUEUE#${episodeId}`, entity: 'queue-entry', GSI1PK: `HOLDERS#episode:${episodeId}` }));
const job = (messageId: string): SQSRecord => ({ messageId, body: JSON.stringify({ key: `episode:${episodeId}`, updatedAt: episode.updatedAt }) }) as SQSRecord;
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

describe('propagation worker failure handling', () => {
  it('reports a job whose holder update failed mid-page; the redelivered job finishes it, each holder updated once', async () => {
    const applied = new Map<string, number>();
    const updateFor = (failing: Set<string>, done: Set<string>) => (input: { Key?: Record<string, unknown> }) => {
      const user = String(input.Key?.PK);
      if (failing.has(user)) throw new Error('ProvisionedThroughputExceeded');
      if (done.has(user)) throw conditionFailed();
      applied.set(user, (applied.get(user) ?? 0) + 1);
      return {};
    };
    dynamoMock.on(GetCommand).resolves({ Item: episode });
    dynamoMock.on(QueryCommand).resolves({ Items: holders, LastEvaluatedKey: { PK: 'USER#c', SK: `QUEUE#${episodeId}`, GSI1PK: 'x', GSI1SK: 'USER#c' } });
    sqsMock.on(SendMessageCommand).resolves({});

    dynamoMock.on(UpdateCommand).callsFake(updateFor(new Set(['USER#b']), new Set()));
    expect(await handler({ Records: [job('m1')] })).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    // The next page was handed on before this one was worked, and the second sweep queued for a minute later.
    const sent = sqsMock.commandCalls(SendMessageCommand).map((c) => ({ body: JSON.parse(c.args[0].input.MessageBody ?? '{}') as Record<string, unknown>, delay: c.args[0].input.DelaySeconds }));
    expect(sent).toEqual([
      { body: expect.objectContaining({ key: `episode:${episodeId}`, after: expect.any(Object) }), delay: undefined },
      { body: { key: `episode:${episodeId}`, updatedAt: episode.updatedAt, sweep: 2 }, delay: 60 },
    ]);

    dynamoMock.on(UpdateCommand).callsFake(updateFor(new Set(), new Set(applied.keys())));
    expect(await handler({ Records: [job('m1')] })).toEqual({ batchItemFailures: [] });
    expect(Object.fromEntries(applied)).toEqual({ 'USER#a': 1, 'USER#b': 1, 'USER#c': 1 });
  });

  it('writes nothing for holders whose copy is already current', async () => {
    dynamoMock.on(GetCommand).resolves({ Item: episode });
    dynamoMock.on(QueryCommand).resolves({ Items: holders.map((h) => ({ ...h, contentUpdatedAt: episode.updatedAt })) });
    sqsMock.on(SendMessageCommand).resolves({});
    expect(await handler({ Records: [{ messageId: 'm1', body: JSON.stringify({ key: `episode:${episodeId}`, updatedAt: episode.updatedAt, sweep: 2 }) } as SQSRecord] })).toEqual({ batchItemFailures: [] });
    expect(dynamoMock.commandCalls(UpdateCommand)).toHaveLength(0);
    // The second sweep queues no third.
    expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('reports only the failed job of a batch', async () => {
    dynamoMock.on(GetCommand).resolves({ Item: episode });
    dynamoMock.on(QueryCommand).rejectsOnce(new Error('timeout')).resolves({ Items: [] });
    expect(await handler({ Records: [job('m1'), job('m2')] })).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
  });

  it('drops a malformed job instead of retrying it into the DLQ', async () => {
    expect(await handler({ Records: [{ messageId: 'm1', body: '{"key": 1}' } as SQSRecord] })).toEqual({ batchItemFailures: [] });
    expect(dynamoMock.calls()).toHaveLength(0);
  });
});
