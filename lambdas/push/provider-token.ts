import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '../shared/dynamo';
import { conditional } from '../shared/table-access';
import { signCompactJwt } from './compact-jwt';
import type { ApnsCredentials } from './push-credentials';

/**
 * The APNs provider token, one for every sender instance: APNs refuses a team that signs new
 * tokens too often (429 TooManyProviderTokenUpdates: no more than one in 20 minutes) and tokens
 * older than an hour (403 ExpiredProviderToken). Each instance keeps the token it last used;
 * past 50 minutes it reads `PUSH#APNS#<keyId>` / `PROVIDER_TOKEN`, and the first instance to find that
 * one old too signs a new one and stores it, conditional on the one it read, so the others take
 * the winner's. One signature per 50 minutes for the whole deployment.
 */
export const PROVIDER_TOKEN_RENEW_AFTER_SECONDS = 50 * 60;
const PROVIDER_TOKEN_ENTITY = 'apns-provider-token';
/** Per signing key: a new key (rotated in the secret) starts its own token. */
const keyOf = (apns: ApnsCredentials) => ({ PK: `PUSH#APNS#${apns.keyId}`, SK: 'PROVIDER_TOKEN' });

interface ProviderToken {
  jwt: string;
  /** Epoch seconds: the token's `iat`. */
  issuedAt: number;
  keyId: string;
  teamId: string;
}

let current: ProviderToken | undefined;

const usable = (token: ProviderToken | undefined, apns: ApnsCredentials, nowSeconds: number): boolean =>
  token !== undefined && token.keyId === apns.keyId && token.teamId === apns.teamId && nowSeconds - token.issuedAt < PROVIDER_TOKEN_RENEW_AFTER_SECONDS && token.issuedAt <= nowSeconds + 60;

async function stored(apns: ApnsCredentials): Promise<ProviderToken | undefined> {
  const item = (await documentClient.send(new GetCommand({ TableName: tableName, Key: keyOf(apns), ConsistentRead: true }))).Item;
  if (item === undefined || typeof item.jwt !== 'string' || typeof item.issuedAt !== 'number') return undefined;
  return { jwt: item.jwt, issuedAt: item.issuedAt, keyId: String(item.keyId), teamId: String(item.teamId) };
}

/** The ES256 JWT APNs expects: `kid` in the header, the team as `iss`, and `iat`. */
export function signProviderToken(apns: ApnsCredentials, issuedAt: number): string {
  return signCompactJwt('ES256', { kid: apns.keyId }, { iss: apns.teamId, iat: issuedAt }, apns.privateKey);
}

export async function providerToken(apns: ApnsCredentials, nowSeconds: number): Promise<string> {
  if (current !== undefined && usable(current, apns, nowSeconds)) return current.jwt;
  const read = await stored(apns);
  if (read !== undefined && usable(read, apns, nowSeconds)) {
    current = read;
    return read.jwt;
  }
  const fresh: ProviderToken = { jwt: signProviderToken(apns, nowSeconds), issuedAt: nowSeconds, keyId: apns.keyId, teamId: apns.teamId };
  const won = await conditional(
    documentClient.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...keyOf(apns), entity: PROVIDER_TOKEN_ENTITY, ...fresh },
        ...(read === undefined
          ? { ConditionExpression: 'attribute_not_exists(PK)' }
          : { ConditionExpression: 'issuedAt = :read', ExpressionAttributeValues: { ':read': read.issuedAt } }),
      }),
    ),
  );
  if (won) {
    current = fresh;
    return fresh.jwt;
  }
  const winner = await stored(apns);
  current = winner !== undefined && usable(winner, apns, nowSeconds) ? winner : fresh;
  return current.jwt;
}
