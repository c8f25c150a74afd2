import * as z from 'zod';
import { userPartitionKey } from '../shared/keys';

/**
 * An app password for gpodder clients, kept as two items written and deleted together:
 * - the owner's item `USER#<userId>` / `GPCRED#<credentialId>`: label, username and times, what
 *   the user lists and revokes;
 * - the login `GPCRED#<username>` / `GPCRED`: who the username belongs to and the password's
 *   HMAC, the one item a sign-in reads.
 * `USER#<userId>` / `GPCREDS` counts the user's credentials, so concurrent creations cannot
 * together pass the limit. The password itself is never stored.
 */
export const GPODDER_CREDENTIAL_ENTITY = 'gpodder-credential';
export const GPODDER_LOGIN_ENTITY = 'gpodder-login';
export const GPODDER_CREDENTIAL_SET_ENTITY = 'gpodder-credential-set';
export const GPODDER_CREDENTIAL_SORT_PREFIX = 'GPCRED#';

/** Credentials per user (one per app installation); one more is 409 `gpodder-credential-limit-reached`. */
export const MAX_GPODDER_CREDENTIALS_PER_USER = 20;
export const MAX_LABEL_LENGTH = 100;

/**
 * `ph-` and ten characters a person can read off a screen and type into an app: lower case
 * letters and digits without `l`, `o`, `0` and `1`. Thirty-two of them, so one random byte
 * masked to five bits picks one without bias; 50 bits make a collision (retried) rare.
 */
export const USERNAME_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';
export const USERNAME_PREFIX = 'ph-';
export const USERNAME_RANDOM_CHARACTERS = 10;
export const USERNAME_PATTERN = /^ph-[a-km-np-z2-9]{10}$/;
/** 18 random bytes: 144 bits, 24 base64url characters. */
export const PASSWORD_BYTES = 18;

export const credentialItemSchema = z.object({
  entity: z.literal(GPODDER_CREDENTIAL_ENTITY),
  credentialId: z.string(),
  username: z.string(),
  label: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().optional(),
});
export type CredentialItem = z.infer<typeof credentialItemSchema>;

export const loginItemSchema = z.object({
  entity: z.literal(GPODDER_LOGIN_ENTITY),
  userId: z.string(),
  credentialId: z.string(),
  username: z.string(),
  /** base64url HMAC-SHA-256 of `<username>\n<password>` under the `gpodder-credential` deployment key. */
  secretHash: z.string(),
});
export type LoginItem = z.infer<typeof loginItemSchema>;

/** What the API shows of a credential: never its password or hash. */
export interface CredentialView {
  id: string;
  username: string;
  label: string;
  createdAt: string;
  lastUsedAt?: string;
}

export const credentialKey = (userId: string, credentialId: string) => ({ PK: userPartitionKey(userId), SK: `${GPODDER_CREDENTIAL_SORT_PREFIX}${credentialId}` });
export const credentialSetKey = (userId: string) => ({ PK: userPartitionKey(userId), SK: 'GPCREDS' });
export const loginKey = (username: string) => ({ PK: `GPCRED#${username}`, SK: 'GPCRED' });

export const credentialFromItem = (item: Record<string, unknown>): CredentialItem => credentialItemSchema.parse(item);
export const loginFromItem = (item: Record<string, unknown>): LoginItem => loginItemSchema.parse(item);

export function credentialView(credential: CredentialItem): CredentialView {
  return {
    id: credential.credentialId,
    username: credential.username,
    label: credential.label,
    createdAt: credential.createdAt,
    ...(credential.lastUsedAt === undefined ? {} : { lastUsedAt: credential.lastUsedAt }),
  };
}
