import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { INBOX_ENTITY, inboxKey } from '../../lambdas/messages/message-items';
import { progressKey } from '../../lambdas/progress/progress-item';
import { call, createAsset, endpoints, newUserId, tokenFor } from '../support/api';
import { pull } from '../support/feed';
import { queueReader } from '../support/queue-reader';
import { itemsOfUser } from '../support/table';
import { waitFor } from '../support/wait';

// This file is the one reader of the stream-poison queue.
const poisonWhere = queueReader('stream-poison', (body) => body as { stage: string; reason: string; eventID: string; keys: Record<string, { S?: string }>; record?: unknown });
const documents = DynamoDBDocumentClient.from(
  new DynamoDBClient({ endpoint: endpoints.dynamodb, region: endpoints.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
);
const put = (item: Record<string, unknown>) => documents.send(new PutCommand({ TableName: endpoints.tableName, Item: item }));

describe('stream router with records it can never handle', () => {
  it("sets them aside on the stream-poison queue with their reason while another user's change reaches their feed at once", async () => {
    // Written straight into the table, past every check at the edge, as a bug or an old item could.
    const poisoned = newUserId('poisoned');
    const assetId = await createAsset({ durationSeconds: 600 });
    await put({ ...progressKey(poisoned, assetId), entity: 'progress', assetId, progress: 'not a number', updatedAt: new Date().toISOString() });
    // A user id SQS would refuse in a message body (U+FFFF), in a video message slot.
    const oddUser = `odd-\uffff-${newUserId()}`;
    const now = new Date().toISOString();
    await put({
      ...inboxKey(oddUser, 'sender'),
      entity: INBOX_ENTITY,
      senderId: 'sender',
      messageId: newUserId('message'),
      state: 'UPLOADED',
      contentType: 'video/mp4',
      sizeBytes: 1024,
      createdAt: now,
      updatedAt: now,
    });

    const viewer = newUserId('viewer');
    const token = await tokenFor(viewer);
    const { cursor } = await pull(token);
    const started = Date.now();
    expect((await call('PUT', `/v1/progress/${assetId}`, { token, body: { progress: 42 } })).status).toBe(200);
    const changes = await waitFor(
      async () => (await pull(token, cursor)).changes,
      (seen) => seen.length > 0,
      5_000,
    );
    const delayMs = Date.now() - started;
    expect(changes.map((c) => [c.type, c.key])).toEqual([['progress', assetId]]);
    expect(delayMs).toBeLessThan(5_000);

    const reports = await poisonWhere((r) => r.keys?.PK?.S === `USER#${poisoned}`, 2);
    expect(reports.map((r) => r.message.stage).sort()).toEqual(['analytics', 'feed']);
    for (const { message } of reports) {
      expect(message.reason).toMatch(/progress|schema|number/i);
      expect(message.record).toBeDefined();
    }
    // The odd user id is no poison at all: its slot is in that user's feed like any other.
    const oddFeed = await waitFor(
      async () => (await itemsOfUser(oddUser)).filter((item) => item.entity === 'feed-entry'),
      (entries) => entries.length > 0,
    );
    expect(oddFeed).toHaveLength(1);
    expect((await poisonWhere((r) => r.keys?.PK?.S === `USER#${oddUser}`, 0, 0)).length).toBe(0);
  });
});
