import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '../shared/dynamo';
import { conditional, expiresAt } from '../shared/table-access';
import { feedRetentionMs } from './feed-settings';
import { lastFeedEntry } from './feed-store';
import {
  SESSION_LIFETIME_MS,
  SYNC_DEVICE_ENTITY,
  SYNC_SESSION_ENTITY,
  type SyncDevice,
  type SyncSession,
  syncDeviceItemSchema,
  syncDeviceKey,
  syncSessionItemSchema,
  syncSessionKey,
} from './sync-session-item';

async function getDevice(userId: string, deviceId: string): Promise<SyncDevice | undefined> {
  const output = await documentClient.send(new GetCommand({ TableName: tableName, Key: syncDeviceKey(userId, deviceId), ConsistentRead: true }));
  if (!output.Item) return undefined;
  const { entity: _entity, ...device } = syncDeviceItemSchema.parse(output.Item);
  return device;
}

/**
 * Opens a session whose window runs from the device's completed position to the feed's head
 * now. A device never seen before, or one whose position is older than the feed retention,
 * gets a full resync (`since: null`): a snapshot of the user's items as of the head.
 */
export async function openSession(userId: string, deviceId: string, nowMs: number): Promise<SyncSession> {
  const [device, head] = await Promise.all([getDevice(userId, deviceId), lastFeedEntry(userId)]);
  const fresh = device !== undefined && nowMs - device.positionIssuedAt <= feedRetentionMs;
  // The head can only be behind a completed position if entries expired; never go backwards.
  const headAhead = head !== undefined && head.seq >= (fresh ? device.position : 0);
  const session: SyncSession = {
    sessionId: randomUUID(),
    deviceId,
    since: fresh ? device.position : null,
    ...(fresh && device.positionSlot !== undefined ? { sinceSlot: device.positionSlot } : {}),
    sinceIssuedAt: fresh ? device.positionIssuedAt : nowMs,
    until: headAhead ? head.seq : fresh ? device.position : 0,
    ...(headAhead ? { untilSlot: head.slot } : fresh && device.positionSlot !== undefined ? { untilSlot: device.positionSlot } : {}),
    createdAt: new Date(nowMs).toISOString(),
    expiresAtMs: nowMs + SESSION_LIFETIME_MS,
  };
  await documentClient.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...syncSessionKey(userId, session.sessionId),
        entity: SYNC_SESSION_ENTITY,
        ...session,
        ...expiresAt(session.expiresAtMs),
      },
    }),
  );
  return session;
}

/** The caller's own live session, or undefined (unknown, another user's, or expired). */
export async function getSession(userId: string, sessionId: string, nowMs: number): Promise<SyncSession | undefined> {
  const output = await documentClient.send(new GetCommand({ TableName: tableName, Key: syncSessionKey(userId, sessionId), ConsistentRead: true }));
  if (!output.Item) return undefined;
  const { entity: _entity, ...session } = syncSessionItemSchema.parse(output.Item);
  return session.expiresAtMs < nowMs ? undefined : session;
}

/**
 * The only step that moves the device's position: to the session's `until`. A session that
 * completes after a newer one never moves the position back. Completing twice is harmless.
 */
export async function completeSession(userId: string, session: SyncSession, nowMs: number): Promise<{ position: number }> {
  const completedAt = new Date(nowMs).toISOString();
  // A condition that fails means a newer session already moved the position further.
  await conditional(
    documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: syncDeviceKey(userId, session.deviceId),
        UpdateExpression: `SET entity = :entity, deviceId = :deviceId, #position = :until, positionIssuedAt = :openedAt, completedAt = :now ${
          session.untilSlot === undefined ? 'REMOVE positionSlot' : ', positionSlot = :untilSlot'
        }`,
        ConditionExpression: 'attribute_not_exists(#position) OR #position <= :until',
        ExpressionAttributeNames: { '#position': 'position' },
        ExpressionAttributeValues: {
          ':entity': SYNC_DEVICE_ENTITY,
          ':deviceId': session.deviceId,
          ':until': session.until,
          ...(session.untilSlot === undefined ? {} : { ':untilSlot': session.untilSlot }),
          // Every entry past `until` was written after the session opened.
          ':openedAt': Date.parse(session.createdAt),
          ':now': completedAt,
        },
      }),
    ),
  );
  await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: syncSessionKey(userId, session.sessionId),
      UpdateExpression: 'SET completedAt = if_not_exists(completedAt, :now)',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':now': completedAt },
    }),
  );
  const device = await getDevice(userId, session.deviceId);
  return { position: device?.position ?? session.until };
}
