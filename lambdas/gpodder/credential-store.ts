import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { type WriteItem, writeTogether } from '../shared/atomic-writes';
import { deploymentKey } from '../shared/deployment-secret';
import { documentClient, tableName } from '../shared/dynamo';
import { logger } from '../shared/logger';
import { conditionalUpdate, RETRY, retryOptimistic, type TableKey } from '../shared/table-access';
import { allUserItems } from '../shared/user-items';
import {
  type CredentialItem,
  credentialFromItem,
  credentialKey,
  credentialSetKey,
  GPODDER_CREDENTIAL_ENTITY,
  GPODDER_CREDENTIAL_SET_ENTITY,
  GPODDER_CREDENTIAL_SORT_PREFIX,
  GPODDER_LOGIN_ENTITY,
  loginFromItem,
  loginKey,
  MAX_GPODDER_CREDENTIALS_PER_USER,
  PASSWORD_BYTES,
  USERNAME_ALPHABET,
  USERNAME_PATTERN,
  USERNAME_PREFIX,
  USERNAME_RANDOM_CHARACTERS,
} from './credential-item';

/** The deployment key the password HMACs are made with; nothing else uses it. */
const CREDENTIAL_KEY_PURPOSE = 'gpodder-credential';
/** A password is 24 characters; a longer one is refused before any work (nobody's can match). */
const MAX_PASSWORD_LENGTH = 256;
/** `lastUsedAt` is written at most this often per credential: a sign-in is a read, not a write. */
const LAST_USED_RESOLUTION_MS = 60 * 60 * 1000;
/** Each round lets one of a user's concurrent creations or revocations through. */
const WRITE_ATTEMPTS = 8;

async function getItem(key: TableKey): Promise<Record<string, unknown> | undefined> {
  return (await documentClient.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;
}

function newUsername(): string {
  const bytes = randomBytes(USERNAME_RANDOM_CHARACTERS);
  return USERNAME_PREFIX + Array.from(bytes, (byte) => USERNAME_ALPHABET[byte & 31]).join('');
}

/** The username is part of the MAC, so a hash copied onto another login item verifies nothing. */
async function secretHashOf(username: string, password: string): Promise<Buffer> {
  return createHmac('sha256', await deploymentKey(CREDENTIAL_KEY_PURPOSE)).update(`${username}\n${password}`).digest();
}

/** Moves the user's credential count by `delta`; an increase only while under the limit. */
function countChange(userId: string, delta: 1 | -1): WriteItem {
  return {
    Update: {
      TableName: tableName,
      Key: credentialSetKey(userId),
      UpdateExpression: 'SET entity = :entity ADD #count :delta',
      ...(delta > 0 ? { ConditionExpression: 'attribute_not_exists(#count) OR #count < :max' } : {}),
      ExpressionAttributeNames: { '#count': 'count' },
      ExpressionAttributeValues: { ':entity': GPODDER_CREDENTIAL_SET_ENTITY, ':delta': delta, ...(delta > 0 ? { ':max': MAX_GPODDER_CREDENTIALS_PER_USER } : {}) },
    },
  };
}

export type CreateOutcome = { credential: CredentialItem; password: string } | 'limit-reached';

/**
 * A new credential in one transaction: the owner's item, the login item under a fresh
 * username (another credential's username makes it draw again) and the user's count.
 */
export async function createCredential(userId: string, label: string, now: string): Promise<CreateOutcome> {
  return retryOptimistic<CreateOutcome>('creating a gpodder credential', WRITE_ATTEMPTS, async () => {
    const credentialId = randomUUID();
    const username = newUsername();
    const password = randomBytes(PASSWORD_BYTES).toString('base64url');
    const secretHash = (await secretHashOf(username, password)).toString('base64url');
    const credential: CredentialItem = { entity: GPODDER_CREDENTIAL_ENTITY, credentialId, username, label, createdAt: now };
    const refused = await writeTogether([
      { Put: { TableName: tableName, Item: { ...credentialKey(userId, credentialId), ...credential }, ConditionExpression: 'attribute_not_exists(PK)' } },
      {
        Put: {
          TableName: tableName,
          Item: { ...loginKey(username), entity: GPODDER_LOGIN_ENTITY, userId, credentialId, username, secretHash },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      countChange(userId, 1),
    ]);
    if (refused === undefined) return { credential, password };
    if (refused[2]?.conditionFailed) return 'limit-reached';
    return RETRY;
  });
}

/** The user's credentials, strongly consistent (a list right after a revocation must not show it). */
export async function credentialsOf(userId: string): Promise<CredentialItem[]> {
  const items = await allUserItems(userId, GPODDER_CREDENTIAL_SORT_PREFIX, { consistentRead: true });
  return items.map(credentialFromItem);
}

/**
 * Revokes one of the user's credentials: its two items go in one transaction, so from then
 * on its username signs in nobody. Returns what was revoked, or undefined when the user has no
 * such credential.
 */
export async function revokeCredential(userId: string, credentialId: string): Promise<CredentialItem | undefined> {
  return retryOptimistic<CredentialItem | undefined>('revoking a gpodder credential', WRITE_ATTEMPTS, async () => {
    const item = await getItem(credentialKey(userId, credentialId));
    if (item === undefined) return undefined;
    const credential = credentialFromItem(item);
    const { username } = credential;
    const refused = await writeTogether([
      { Delete: { TableName: tableName, Key: credentialKey(userId, credentialId), ConditionExpression: 'attribute_exists(PK)' } },
      { Delete: { TableName: tableName, Key: loginKey(username) } },
      countChange(userId, -1),
    ]);
    // A concurrent revocation took it first: read again, which finds it gone.
    return refused === undefined ? credential : RETRY;
  });
}

/** A credential that still exists (for a session cookie made from it); one strongly consistent read. */
export async function credentialIsLive(userId: string, credentialId: string): Promise<boolean> {
  return (await getItem(credentialKey(userId, credentialId))) !== undefined;
}

const lastNotedAt = new Map<string, number>();

/** Notes a sign-in on the owner's item at most once an hour, never bringing back a revoked credential. */
async function noteUse(userId: string, credentialId: string, nowMs: number): Promise<void> {
  if (nowMs - (lastNotedAt.get(credentialId) ?? 0) < LAST_USED_RESOLUTION_MS) return;
  lastNotedAt.set(credentialId, nowMs);
  const now = new Date(nowMs).toISOString();
  try {
    await conditionalUpdate(credentialKey(userId, credentialId), { set: { lastUsedAt: now } }, {
      expression: 'attribute_exists(PK) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt < :due)',
      values: { ':due': new Date(nowMs - LAST_USED_RESOLUTION_MS).toISOString() },
    });
  } catch (error) {
    // A sign-in does not fail for want of its bookkeeping; the next hour's tries again.
    lastNotedAt.delete(credentialId);
    logger.warn('gpodder credential use not recorded', { credentialId, error: error instanceof Error ? error.message : String(error) });
  }
}

/**
 * Who a gpodder username and password sign in, or undefined for an unknown or revoked
 * username or a wrong password. One strongly consistent read; the MAC is compared in
 * constant time, and computed for unknown usernames too.
 */
export async function verifyGpodderCredential(username: string, password: string): Promise<{ userId: string; credentialId: string } | undefined> {
  if (!USERNAME_PATTERN.test(username) || password.length === 0 || password.length > MAX_PASSWORD_LENGTH) return undefined;
  const [item, presented] = await Promise.all([getItem(loginKey(username)), secretHashOf(username, password)]);
  if (item === undefined) return undefined;
  const login = loginFromItem(item);
  const stored = Buffer.from(login.secretHash, 'base64url');
  if (stored.length !== presented.length || !timingSafeEqual(stored, presented)) return undefined;
  await noteUse(login.userId, login.credentialId, Date.now());
  return { userId: login.userId, credentialId: login.credentialId };
}
