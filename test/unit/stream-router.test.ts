import { DynamoDBServiceException, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { SendMessageBatchCommand, type SendMessageBatchCommandInput, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queueDefinitions } from '../../lib/queue-definitions';

// Failure paths only: SQS and DynamoDB are mocked here; real delivery is proven in the integration tests.
const sqsMock = mockClient(SQSClient);
const dynamoMock = mockClient(DynamoDBDocumentClient);
let handler: typeof import('../../lambdas/stream-router/handler').handler;
let sqsSafeJson: typeof import('../../lambdas/stream-router/sqs-safe-json').sqsSafeJson;

const queues = {
  analytics: 'https://sqs.example/analytics',
  changes: 'https://sqs.example/changes',
  propagation: 'https://sqs.example/propagation',
  notifications: 'https://sqs.example/notifications',
  poison: 'https://sqs.example/stream-poison',
};

beforeAll(async () => {
  process.env.ANALYTICS_QUEUE_URL = queues.analytics;
  process.env.CHANGES_QUEUE_URL = queues.changes;
  process.env.PROPAGATION_QUEUE_URL = queues.propagation;
  process.env.NOTIFICATIONS_QUEUE_URL = queues.notifications;
  process.env.STREAM_POISON_QUEUE_URL = queues.poison;
  process.env.TABLE_NAME ??= 'unit-test-table';
  // Any other queue the router is configured with gets a URL of its own.
  for (const queue of queueDefinitions) process.env[queue.urlEnv] ??= `https://sqs.example/${queue.name}`;
  ({ handler } = await import('../../lambdas/stream-router/handler'));
  ({ sqsSafeJson } = await import('../../lambdas/stream-router/sqs-safe-json'));
});
beforeEach(() => {
  sqsMock.reset();
  dynamoMock.reset();
  sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  dynamoMock.on(QueryCommand).resolves({ Items: [] });
  dynamoMock.on(PutCommand).resolves({});
});

const assetId = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

/** A watchlist addition; without a user it stays out of the feed and only yields an analytics event. */
function addition(i: number, userId?: string): DynamoDBRecord {
  const item = { PK: `USER#${userId ?? 'u'}`, SK: `WATCHLIST#${assetId(i)}`, entity: 'watchlist-item', assetId: assetId(i), addedAt: '2026-01-01T00:00:00.000Z' };
  return {
    eventID: `event-${i}`,
    eventName: 'INSERT',
    dynamodb: {
      SequenceNumber: String(1000 + i),
      ...(userId !== undefined ? { Keys: marshall({ PK: item.PK, SK: item.SK }) as never } : {}),
      NewImage: marshall(item) as never,
      ApproximateCreationDateTime: 1_700_000_000,
    },
  };
}

const sentTo = (url: string): SendMessageBatchCommandInput['Entries'] =>
  sqsMock
    .commandCalls(SendMessageBatchCommand)
    .filter((c) => c.args[0].input.QueueUrl === url)
    .flatMap((c) => c.args[0].input.Entries ?? []);
const bodiesTo = (url: string) => (sentTo(url) ?? []).map((e) => JSON.parse(e.MessageBody ?? '') as Record<string, unknown>);
const poisonReports = () => bodiesTo(queues.poison);

describe('stream router failure handling', () => {
  it('sends events in batches of at most ten and reports no failure when all are accepted', async () => {
    const result = await handler({ Records: Array.from({ length: 23 }, (_, i) => addition(i)) });
    expect(result.batchItemFailures).toEqual([]);
    const sizes = sqsMock.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries?.length);
    expect(sizes.sort()).toEqual([10, 10, 3]);
  });

  it('reports the first record whose event SQS could not take for now, so the batch is retried from there', async () => {
    sqsMock.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => ({
      Failed: (input.Entries ?? [])
        .filter((e) => ['event-14', 'event-17'].includes((JSON.parse(e.MessageBody ?? '') as { eventId: string }).eventId))
        .map((e) => ({ Id: e.Id, SenderFault: false, Code: 'InternalError' })),
    }));
    const records = Array.from({ length: 25 }, (_, i) => addition(i));
    const result = await handler({ Records: records });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: records[14]?.dynamodb?.SequenceNumber }]);
    expect(poisonReports()).toEqual([]);
  });

  it('reports the first record of a batch that could not be sent at all', async () => {
    sqsMock.on(SendMessageBatchCommand).rejects(new Error('network down'));
    const records = [addition(1), addition(2)];
    const result = await handler({ Records: records });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: records[0]?.dynamodb?.SequenceNumber }]);
  });

  it('sets a record that does not match its schema aside on the poison queue and delivers the records after it', async () => {
    const broken: DynamoDBRecord = { eventID: 'bad', dynamodb: { SequenceNumber: '2000', NewImage: marshall({ entity: 'progress', progress: 'x' }) as never } };
    const result = await handler({ Records: [addition(1), broken, addition(3)] });
    expect(result.batchItemFailures).toEqual([]);
    expect(bodiesTo(queues.analytics).map((e) => e.eventId)).toEqual(['event-1', 'event-3']);
    expect(poisonReports()).toMatchObject([{ stage: 'analytics', eventID: 'bad', sequenceNumber: '2000', reason: expect.stringMatching(/schema/) }]);
  });

  it('sets a message SQS refuses for its content aside with the reason, and delivers every other record', async () => {
    // What SQS answers for a body with U+FFFF in it (a recipient id of "x\uffff" got that far).
    sqsMock.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => ({
      Failed:
        input.QueueUrl === queues.analytics
          ? (input.Entries ?? [])
              .filter((e) => (JSON.parse(e.MessageBody ?? '') as { eventId: string }).eventId === 'event-4')
              .map((e) => ({ Id: e.Id, SenderFault: true, Code: 'InvalidMessageContents', Message: 'Invalid characters found.' }))
          : [],
    }));
    const records = Array.from({ length: 12 }, (_, i) => addition(i, `user-${i}`));
    const result = await handler({ Records: records });
    expect(result.batchItemFailures).toEqual([]);
    // Every user's change reached the feed and its notice went out, the refused one's too.
    expect(dynamoMock.commandCalls(PutCommand)).toHaveLength(12);
    expect(bodiesTo(queues.changes).map((n) => n.userId).sort()).toEqual(records.map((_, i) => `user-${i}`).sort());
    expect(poisonReports()).toMatchObject([
      {
        stage: 'analytics',
        eventID: 'event-4',
        sequenceNumber: '1004',
        keys: { PK: { S: 'USER#user-4' } },
        reason: expect.stringMatching(/InvalidMessageContents/),
        message: { event: 'added-to-watchlist', eventId: 'event-4' },
        record: { eventID: 'event-4' },
      },
    ]);
  });

  it("sets aside a feed entry DynamoDB refuses for one user, and numbers every other user's changes", async () => {
    dynamoMock
      .on(PutCommand)
      .callsFake((input: { Item: { PK: string } }) => {
        if (input.Item.PK === 'USER#bad') throw new DynamoDBServiceException({ name: 'ValidationException', $fault: 'client', $metadata: {}, message: 'Item size has exceeded the maximum allowed size' });
        return {};
      });
    const records = [addition(1, 'good-1'), addition(2, 'bad'), addition(3, 'good-2'), addition(4, 'bad')];
    const result = await handler({ Records: records });
    expect(result.batchItemFailures).toEqual([]);
    expect(bodiesTo(queues.changes).map((n) => n.userId).sort()).toEqual(['good-1', 'good-2']);
    expect(poisonReports().map((r) => [r.stage, r.eventID])).toEqual([
      ['feed', 'event-2'],
      ['feed', 'event-4'],
    ]);
    expect(poisonReports()[0]?.reason).toMatch(/ValidationException/);
  });

  it('keeps a throttled feed write a batch failure at its record, so nothing is lost, while other users go on', async () => {
    dynamoMock.on(PutCommand).callsFake((input: { Item: { PK: string } }) => {
      if (input.Item.PK === 'USER#busy') throw new ProvisionedThroughputExceededException({ $metadata: {}, message: 'slow down' });
      return {};
    });
    const records = [addition(1, 'calm'), addition(2, 'busy'), addition(3, 'calm')];
    const result = await handler({ Records: records });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: records[1]?.dynamodb?.SequenceNumber }]);
    // One notice for the user whose two changes were numbered, none for the one held back.
    expect(bodiesTo(queues.changes)).toMatchObject([{ userId: 'calm', types: ['watchlist'] }]);
    expect(poisonReports()).toEqual([]);
  });

  it('sends one change notice per user per batch, naming the types that changed and the head', async () => {
    const progress = (i: number, userId: string): DynamoDBRecord => {
      const item = { PK: `USER#${userId}`, SK: `PROGRESS#${assetId(1)}`, entity: 'progress', assetId: assetId(1), progress: i, updatedAt: `2026-01-01T00:00:0${i}.000Z` };
      return { eventID: `p-${i}`, eventName: 'MODIFY', dynamodb: { SequenceNumber: String(2000 + i), Keys: marshall({ PK: item.PK, SK: item.SK }) as never, NewImage: marshall(item) as never } };
    };
    const records = [addition(1, 'ann'), progress(1, 'ann'), addition(2, 'ben'), progress(2, 'ann'), progress(1, 'cal'), progress(3, 'ann'), addition(3, 'ann')];
    expect((await handler({ Records: records })).batchItemFailures).toEqual([]);
    // Three progress writes of one title were one entry; seven changes, two notices: progress alone wakes no device.
    expect(dynamoMock.commandCalls(PutCommand).map((c) => (c.args[0].input.Item as { SK: string; value: unknown }).value)).toHaveLength(5);
    const notices = bodiesTo(queues.changes);
    const seqOf = (userId: string) => Math.max(...dynamoMock.commandCalls(PutCommand).map((c) => c.args[0].input.Item as { PK: string; seq: number }).filter((i) => i.PK === `USER#${userId}`).map((i) => i.seq));
    expect(notices.sort((a, b) => String(a.userId).localeCompare(String(b.userId)))).toEqual([
      { userId: 'ann', seq: seqOf('ann'), types: ['progress', 'watchlist'] },
      { userId: 'ben', seq: seqOf('ben'), types: ['watchlist'] },
    ]);
  });

  it('keeps a poison record in the batch while its report cannot be sent', async () => {
    sqsMock.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => {
      if (input.QueueUrl === queues.poison) throw new Error('network down');
      return { Failed: [] };
    });
    const broken: DynamoDBRecord = { eventID: 'bad', dynamodb: { SequenceNumber: '2000', NewImage: marshall({ entity: 'progress', progress: 'x' }) as never } };
    const result = await handler({ Records: [addition(1), broken, addition(3)] });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '2000' }]);
  });

  it('writes message bodies SQS and the local emulator accept, which read back as the same JSON', () => {
    const body = { userId: 'x\uffff', title: 'popcorn 🍿', lone: '\ud800', noncharacter: '\ufffe' };
    const text = sqsSafeJson(body);
    expect(text).toMatch(/^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD]*$/);
    expect(JSON.parse(text)).toEqual(body);
  });
});
