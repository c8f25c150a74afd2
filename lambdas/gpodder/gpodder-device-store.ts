import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '../shared/dynamo';
import { userPartitionKey } from '../shared/keys';
import { conditional, updateExpression } from '../shared/table-access';
import { allUserItems } from '../shared/user-items';
import { GPODDER_DEVICE_ENTITY } from './gpodder-entities';

/**
 * A gpodder client's device: `USER#<userId>` / `GPDEV#<deviceId>`, its caption and type. Not
 * Playhead's push devices (`DEVICE#`): gpodder devices are names apps give themselves, and all
 * of a user's devices see the same subscriptions and actions (one implicit sync group).
 */
const SORT_PREFIX = 'GPDEV#';
/** mygpoclient raises ValueError on any other type, so anything else is stored as `other`. */
export const deviceTypes = ['desktop', 'laptop', 'mobile', 'server', 'other'] as const;
export type DeviceType = (typeof deviceTypes)[number];
export const MAX_CAPTION_LENGTH = 200;

export interface GpodderDevice {
  deviceId: string;
  caption: string;
  type: DeviceType;
}

const deviceKey = (userId: string, deviceId: string) => ({ PK: userPartitionKey(userId), SK: `${SORT_PREFIX}${deviceId}` });

export const deviceTypeOf = (value: unknown): DeviceType => (deviceTypes.includes(value as DeviceType) ? (value as DeviceType) : 'other');

/** Creates the device or changes only the given settings. */
export async function updateDevice(userId: string, deviceId: string, settings: { caption?: string; type?: DeviceType }, now: string): Promise<void> {
  const expression = updateExpression({
    set: { entity: GPODDER_DEVICE_ENTITY, deviceId, caption: settings.caption, type: settings.type, updatedAt: now },
    clauses: ['createdAt = if_not_exists(createdAt, :created)'],
  });
  await documentClient.send(
    new UpdateCommand({ TableName: tableName, Key: deviceKey(userId, deviceId), ...expression, ExpressionAttributeValues: { ...expression.ExpressionAttributeValues, ':created': now } }),
  );
}

/**
 * Devices this container has seen registered. A device is never deleted, so one that exists
 * stays: every later sync call of that app skips the conditional put, which DynamoDB bills as
 * a write unit even when its condition refuses it.
 */
const registered = new Set<string>();
const REGISTERED_LIMIT = 10_000;

/** gpodder.net creates a device on its first use; a write only when it is new. */
export async function registerDeviceOnUse(userId: string, deviceId: string, now: string): Promise<void> {
  const seen = `${userId}\n${deviceId}`;
  if (registered.has(seen)) return;
  await conditional(
    documentClient.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...deviceKey(userId, deviceId), entity: GPODDER_DEVICE_ENTITY, deviceId, caption: '', type: 'other', createdAt: now, updatedAt: now },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    ),
  );
  if (registered.size >= REGISTERED_LIMIT) registered.clear();
  registered.add(seen);
}

export async function listDevices(userId: string): Promise<GpodderDevice[]> {
  const items = await allUserItems(userId, SORT_PREFIX);
  return items.map((item) => ({ deviceId: String(item.deviceId), caption: typeof item.caption === 'string' ? item.caption : '', type: deviceTypeOf(item.type) }));
}
