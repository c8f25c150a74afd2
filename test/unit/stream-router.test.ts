import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';

// Failure paths only: the SQS client is mocked here; real delivery is proven in the integration tests.
const sqsMock = mockClient(SQSClient);
let handler: typeof import('../../lambdas/stream-router/handler').handler;

beforeAll(async () => {
  process.env.ANALYTICS_QUEUE_URL = 'https://sqs.example/analytics';
  process.env.CHANGES_QUEUE_URL = 'https://sqs.example/changes';
  process.env.PROPAGATION_QUEUE_URL = 'https://sqs.example/propagation';
  process.env.NOTIFICATIONS_QUEUE_URL = 'https://sqs.example/notifications';
  process.env.TABLE_NAME ??= 'unit-test-table';
  ({ handler } = await import('../../lambdas/stream-router/handler'));
});
beforeEach(() => sqsMock.reset());

const assetId = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
function addition(i: number): DynamoDBRecord {
  const item = { PK: 'USER#u', SK: `WATCHLIST#${assetId(i)}`, entity: 'watchlist-item', assetId: assetId(i), addedAt: '2026-01-01T00:00:00.000Z' };
  return {
    eventID: `event-${i}`,
    eventName: 'INSERT',
    dynamodb: { SequenceNumber: String(1000 + i), NewImage: marshall(item) as never, ApproximateCreationDateTime: 1_700_000_000 },
  };
}

describe('stream router failure handling', () => {
  it('sends events in batches of at most ten and reports no failure when all are accepted', async () => {
    sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const result = await handler({ Records: Array.from({ length: 23 }, (_, i) => addition(i)) });
    expect(result.batchItemFailures).toEqual([]);
    const sizes = sqsMock.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries?.length);
    expect(sizes).toEqual([10, 10, 3]);
  });

  it('reports the first record whose event SQS refused, and sends no later batch', async () => {
    sqsMock
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Successful: [], Failed: [] })
      .resolvesOnce({ Failed: [{ Id: '4', SenderFault: false, Code: 'InternalError' }, { Id: '7', SenderFault: false, Code: 'InternalError' }] });
    const records = Array.from({ length: 25 }, (_, i) => addition(i));
    const result = await handler({ Records: records });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: records[14]?.dynamodb?.SequenceNumber }]);
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(2);
  });

  it('reports the first record of a batch that could not be sent at all', async () => {
    sqsMock.on(SendMessageBatchCommand).rejects(new Error('network down'));
    const records = [addition(1), addition(2)];
    const result = await handler({ Records: records });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: records[0]?.dynamodb?.SequenceNumber }]);
  });

  it('stops at a record that does not match its schema, delivering only the records before it', async () => {
    sqsMock.on(SendMessageBatchCommand).resolves({ Failed: [] });
    const broken: DynamoDBRecord = { eventID: 'bad', dynamodb: { SequenceNumber: '2000', NewImage: marshall({ entity: 'progress', progress: 'x' }) as never } };
    const result = await handler({ Records: [addition(1), broken, addition(3)] });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '2000' }]);
    const sent = sqsMock.commandCalls(SendMessageBatchCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    expect(sent).toHaveLength(1);
  });
});
