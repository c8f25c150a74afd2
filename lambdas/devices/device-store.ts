import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { type WriteItem, writeTogether } from '../shared/atomic-writes';
import { documentClient, tableName } from '../shared/dynamo';
import { allUserItems } from '../shared/user-items';
import { conditionalUpdate, expiresAt, RETRY, retryOptimistic, type TableKey } from '../shared/table-access';
import {
  type ApnsEnvironment,
  DEVICE_ENTITY,
  DEVICE_LIFETIME_DAYS,
  DEVICE_SET_ENTITY,
  DEVICE_SORT_PREFIX,
  type DeviceItem,
  deviceFromItem,
  deviceKey,
  deviceSetKey,
  MAX_DEVICES_PER_USER,
  PUSH_TOKEN_ENTITY,
  type Platform,
  pushTokenKey,
  tokenHashOf,
} from './device-item';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Each round lets one of a user's concurrent registrations through; enough for a user's every device at once. */
const REGISTER_ATTEMPTS = 16;

export interface Registration {
  userId: string;
  deviceId: string;
  platform: Platform;
  token: string;
  environment: ApnsEnvironment;
}

/** A device item's TTL can lag by days; one past its time is already gone for everyone. */
const isLive = (device: DeviceItem, nowMs: number) => device.expiresAt * 1000 > nowMs;

/** The user's live devices, strongly consistent: a push must not miss a device just moved or removed. */
export async function devicesOf(userId: string, nowMs: number): Promise<DeviceItem[]> {
  const items = await allUserItems(userId, DEVICE_SORT_PREFIX, { consistentRead: true });
  return items.map(deviceFromItem).filter((device) => isLive(device, nowMs));
}

async function getItem(key: TableKey): Promise<Record<string, unknown> | undefined> {
  return (await documentClient.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;
}

/** The version write that serialises a user's registrations and removals. */
function bumpDeviceSet(userId: string, version: number | undefined): WriteItem {
  return {
    Update: {
      TableName: tableName,
      Key: deviceSetKey(userId),
      UpdateExpression: 'SET entity = :entity, version = :next',
      ConditionExpression: version === undefined ? 'attribute_not_exists(PK)' : 'version = :version',
      ExpressionAttributeValues: { ':entity': DEVICE_SET_ENTITY, ':next': (version ?? 0) + 1, ...(version === undefined ? {} : { ':version': version }) },
    },
  };
}

/** Deletes a device only while it still holds the token it was read with (or is already gone). */
const deleteDeviceHolding = (key: TableKey, tokenHash: string): WriteItem => ({
  Delete: { TableName: tableName, Key: key, ConditionExpression: 'attribute_not_exists(PK) OR tokenHash = :hash', ExpressionAttributeValues: { ':hash': tokenHash } },
});

/** Deletes a token claim only while it still names this holder (or is already gone: claims expire with their device). */
const deleteClaimHeldBy = (tokenHash: string, userId: string, deviceId: string): WriteItem => ({
  Delete: {
    TableName: tableName,
    Key: pushTokenKey(tokenHash),
    ConditionExpression: 'attribute_not_exists(PK) OR (userId = :user AND deviceId = :device)',
    ExpressionAttributeValues: { ':user': userId, ':device': deviceId },
  },
});

export type RegisterOutcome = { device: DeviceItem } | 'limit-reached';

/**
 * Registers (or registers again) a device, in one transaction: the device, the claim on its
 * token, the version of the user's device set, the previous token's claim when the token
 * changed, and the device that held this token before (another user's, or another of this
 * user's), which loses it. Every item is conditional on what was read, so a concurrent
 * registration makes this one read again instead of writing over it.
 */
export async function registerDevice(registration: Registration, now: string): Promise<RegisterOutcome> {
  const { userId, deviceId, platform, token, environment } = registration;
  const nowMs = Date.parse(now);
  const tokenHash = tokenHashOf(platform, token);
  const key = deviceKey(userId, deviceId);
  return retryOptimistic<RegisterOutcome>(`registering device ${deviceId}`, REGISTER_ATTEMPTS, async () => {
    const [devices, set, claim] = await Promise.all([
      allUserItems(userId, DEVICE_SORT_PREFIX, { consistentRead: true }),
      getItem(deviceSetKey(userId)),
      getItem(pushTokenKey(tokenHash)),
    ]);
    const holder = claim === undefined ? undefined : { userId: String(claim.userId), deviceId: String(claim.deviceId) };
    const existing = devices.map(deviceFromItem).find((device) => device.deviceId === deviceId);
    // A device of this user about to lose the token to this one (an app reinstalled) does not count.
    const others = devices
      .map(deviceFromItem)
      .filter((device) => device.deviceId !== deviceId && isLive(device, nowMs) && !(holder?.userId === userId && holder.deviceId === device.deviceId));
    if (existing === undefined && others.length >= MAX_DEVICES_PER_USER) return 'limit-reached';

    const device: DeviceItem = {
      entity: DEVICE_ENTITY,
      deviceId,
      platform,
      token,
      tokenHash,
      environment,
      registeredAt: existing?.registeredAt ?? now,
      updatedAt: now,
      ...(expiresAt(nowMs + DEVICE_LIFETIME_DAYS * DAY_MS) as { expiresAt: number }),
    };
    const writes: WriteItem[] = [
      // An update, not a put: the sender's state (newest packet, last hint) survives a registration.
      {
        Update: {
          TableName: tableName,
          Key: key,
          UpdateExpression:
            'SET entity = :entity, deviceId = :deviceId, platform = :platform, #token = :token, tokenHash = :hash, environment = :environment, registeredAt = :registeredAt, updatedAt = :updatedAt, expiresAt = :expiresAt',
          ConditionExpression: existing === undefined ? 'attribute_not_exists(PK)' : 'tokenHash = :readHash',
          ExpressionAttributeNames: { '#token': 'token' },
          ExpressionAttributeValues: {
            ':entity': DEVICE_ENTITY,
            ':deviceId': deviceId,
            ':platform': platform,
            ':token': token,
            ':hash': tokenHash,
            ':environment': environment,
            ':registeredAt': device.registeredAt,
            ':updatedAt': now,
            ':expiresAt': device.expiresAt,
            ...(existing === undefined ? {} : { ':readHash': existing.tokenHash }),
          },
        },
      },
      bumpDeviceSet(userId, set?.version as number | undefined),
    ];
    const heldHere = holder !== undefined && holder.userId === userId && holder.deviceId === deviceId;
    writes.push({
      Put: {
        TableName: tableName,
        Item: { ...pushTokenKey(tokenHash), entity: PUSH_TOKEN_ENTITY, userId, deviceId, platform, expiresAt: device.expiresAt },
        ...(holder === undefined
          ? { ConditionExpression: 'attribute_not_exists(PK)' }
          : { ConditionExpression: 'userId = :user AND deviceId = :device', ExpressionAttributeValues: { ':user': holder.userId, ':device': holder.deviceId } }),
      },
    });
    // The phone changed hands (or this user registered it again under a new device id): the old holder loses it now.
    if (holder !== undefined && !heldHere) writes.push(deleteDeviceHolding(deviceKey(holder.userId, holder.deviceId), tokenHash));
    if (existing !== undefined && existing.tokenHash !== tokenHash) writes.push(deleteClaimHeldBy(existing.tokenHash, userId, deviceId));

    const refused = await writeTogether(writes);
    return refused === undefined ? { device } : RETRY;
  });
}

/** Removes a device and its token claim; removing one that is not there changes nothing. */
export async function removeDevice(userId: string, deviceId: string): Promise<void> {
  const item = await getItem(deviceKey(userId, deviceId));
  if (item !== undefined) await forgetDevice(userId, deviceId, deviceFromItem(item).tokenHash);
}

/**
 * Deletes a device and its token claim while the device still holds `tokenHash` (the sender
 * forgets a device whose token the push service refused, and must not forget one registered
 * again with a new token meanwhile). True when it was deleted.
 */
export async function forgetDevice(userId: string, deviceId: string, tokenHash: string): Promise<boolean> {
  const key = deviceKey(userId, deviceId);
  return retryOptimistic(`removing device ${deviceId}`, 6, async () => {
    const set = await getItem(deviceSetKey(userId));
    const refused = await writeTogether([
      { Delete: { TableName: tableName, Key: key, ConditionExpression: 'tokenHash = :hash', ExpressionAttributeValues: { ':hash': tokenHash } } },
      bumpDeviceSet(userId, set?.version as number | undefined),
      deleteClaimHeldBy(tokenHash, userId, deviceId),
    ]);
    if (refused === undefined) return true;
    // The device is gone or holds another token now: nothing of ours to delete.
    if (refused[0]?.conditionFailed) return false;
    return RETRY;
  });
}

/*
 * The push sender's state on a device. Each send is claimed by a conditional write before it
 * goes out, so of two senders (or a message delivered twice) only one sends, and a claim whose
 * send must be retried is given back.
 */

/** The device still exists and holds the token the sender read. */
const stillHolding = (device: DeviceItem) => ({ expression: 'tokenHash = :hash', values: { ':hash': device.tokenHash } });

/** Claims sending the packet of `asOf`: false when this device already got this packet or a newer one. */
export function claimPacket(userId: string, device: DeviceItem, asOf: string): Promise<boolean> {
  const holding = stillHolding(device);
  return conditionalUpdate(deviceKey(userId, device.deviceId), { set: { packetAsOf: asOf } }, {
    expression: `${holding.expression} AND (attribute_not_exists(packetAsOf) OR packetAsOf < :asOf)`,
    values: { ...holding.values, ':asOf': asOf },
  });
}

/** Gives a packet claim back after a send that will be retried, unless a newer packet claimed the device since. */
export function releasePacket(userId: string, device: DeviceItem, asOf: string): Promise<boolean> {
  const key = deviceKey(userId, device.deviceId);
  const condition = { expression: 'packetAsOf = :asOf', values: { ':asOf': asOf } };
  return device.packetAsOf === undefined ? conditionalUpdate(key, { remove: ['packetAsOf'] }, condition) : conditionalUpdate(key, { set: { packetAsOf: device.packetAsOf } }, condition);
}

/** Claims a leading sync hint: false when one went out less than `windowMs` ago. */
export function claimHint(userId: string, device: DeviceItem, seq: number, nowMs: number, windowMs: number): Promise<boolean> {
  const holding = stillHolding(device);
  return conditionalUpdate(deviceKey(userId, device.deviceId), { set: { hintAt: nowMs, hintSeq: seq }, remove: ['hintPending', 'flushAt'] }, {
    expression: `${holding.expression} AND (attribute_not_exists(hintAt) OR hintAt <= :since)`,
    values: { ...holding.values, ':since': nowMs - windowMs },
  });
}

/**
 * Notes a change not yet hinted. Returns when its trailing hint is due if this call scheduled
 * it (the caller then sends the delayed flush), or undefined when one is already scheduled.
 * A schedule older than `staleMs` past its time is taken over: its flush was lost.
 */
export async function notePendingHint(userId: string, device: DeviceItem, seq: number, nowMs: number, windowMs: number, staleMs: number): Promise<number | undefined> {
  const key = deviceKey(userId, device.deviceId);
  const holding = stillHolding(device);
  const due = (device.hintAt ?? nowMs) + windowMs;
  const scheduled = await conditionalUpdate(key, { set: { hintPending: seq, flushAt: due } }, {
    expression: `${holding.expression} AND (attribute_not_exists(flushAt) OR flushAt < :stale) AND (attribute_not_exists(hintPending) OR hintPending < :seq)`,
    values: { ...holding.values, ':stale': nowMs - staleMs, ':seq': seq },
  });
  if (scheduled) return due;
  await conditionalUpdate(key, { set: { hintPending: seq } }, {
    expression: `${holding.expression} AND (attribute_not_exists(hintPending) OR hintPending < :seq)`,
    values: { ...holding.values, ':seq': seq },
  });
  return undefined;
}

/** Claims the trailing hint of a device whose flush came due: false when it was sent or superseded. */
export function claimTrailingHint(userId: string, device: DeviceItem, nowMs: number): Promise<boolean> {
  const holding = stillHolding(device);
  return conditionalUpdate(deviceKey(userId, device.deviceId), { set: { hintAt: nowMs, hintSeq: device.hintPending }, remove: ['hintPending', 'flushAt'] }, {
    expression: `${holding.expression} AND hintPending = :pending AND flushAt = :due`,
    values: { ...holding.values, ':pending': device.hintPending, ':due': device.flushAt },
  });
}

/** Gives a hint claim back after a send that will be retried, so the next delivery sends it again. */
export function releaseHint(userId: string, device: DeviceItem, claimedAtMs: number): Promise<boolean> {
  const key = deviceKey(userId, device.deviceId);
  const restore: Record<string, unknown> = { hintAt: device.hintAt, hintSeq: device.hintSeq, hintPending: device.hintPending, flushAt: device.flushAt };
  const remove = Object.entries(restore).filter(([, value]) => value === undefined).map(([name]) => name);
  return conditionalUpdate(key, { set: restore, remove }, { expression: 'hintAt = :claimed', values: { ':claimed': claimedAtMs } });
}
