import { decodeJwt, exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { MAX_TOKEN_LIFETIME_SECONDS } from '../lambdas/shared/principal';
import { readStateFile, writeStateFile } from './state-file';

/**
 * The laptop's identity provider: an ES256 key pair made on first start and kept under
 * .playhead/, so tokens survive restarts. The gateway verifies tokens against it exactly as
 * the cloud JWT authorizer does (issuer, audience, expiry, algorithm).
 */
export const LOCAL_ISSUER = 'https://playhead.local/issuer';
export const LOCAL_AUDIENCE = 'playhead-api';
export const TOKEN_ALGORITHM = 'ES256';

export interface SigningKey {
  privateJwk: JWK;
  publicJwk: JWK;
}

export async function loadOrCreateSigningKey(file: string): Promise<SigningKey> {
  const text = readStateFile(file);
  if (text !== undefined) return parseSigningKey(file, text);
  const { privateKey, publicKey } = await generateKeyPair(TOKEN_ALGORITHM, { extractable: true });
  const kid = `playhead-local-${Date.now().toString(36)}`;
  const key: SigningKey = {
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: TOKEN_ALGORITHM, use: 'sig' },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: TOKEN_ALGORITHM, use: 'sig' },
  };
  writeStateFile(file, JSON.stringify(key, null, 2), { mode: 0o600 });
  return key;
}

/**
 * A key file is written whole or not at all, so a damaged one was edited or came from an
 * older, unsafe writer. Making a new key silently would end every token in use without a
 * word; the message says what deleting the file costs instead.
 */
async function parseSigningKey(file: string, text: string): Promise<SigningKey> {
  const damaged = (why: string) =>
    new Error(`the signing key file ${file} is damaged (${why}). Delete it to make a new key at the next start; tokens signed with the old key stop verifying, so mint new ones with npm run token.`);
  let key: unknown;
  try {
    key = JSON.parse(text);
  } catch (error) {
    throw damaged((error as Error).message);
  }
  const { privateJwk, publicJwk } = (typeof key === 'object' && key !== null ? key : {}) as Partial<SigningKey>;
  const isEcKey = (jwk: unknown, part: 'private' | 'public'): jwk is JWK =>
    typeof jwk === 'object' && jwk !== null && (jwk as JWK).kty === 'EC' && (jwk as JWK).crv === 'P-256' && (part === 'public' || typeof (jwk as JWK).d === 'string');
  if (!isEcKey(privateJwk, 'private') || !isEcKey(publicJwk, 'public')) throw damaged('not a P-256 key pair');
  try {
    await importJWK(privateJwk, TOKEN_ALGORITHM);
    await importJWK(publicJwk, TOKEN_ALGORITHM);
  } catch (error) {
    throw damaged((error as Error).message);
  }
  return { privateJwk, publicJwk };
}

/** A token's lifetime when none is asked for. */
export const DEFAULT_TOKEN_TTL = '1h';

export interface TokenRequest {
  userId: string;
  scopes?: string[];
  country?: string;
  /** Lifetime as jose understands it: '1h', '15m', '30s', or seconds. */
  ttl?: string | number;
  issuer?: string;
  audience?: string;
}

export async function mintToken(key: SigningKey, request: TokenRequest): Promise<string> {
  const claims: Record<string, unknown> = {};
  if (request.scopes && request.scopes.length > 0) claims.scope = request.scopes.join(' ');
  if (request.country) claims.country = request.country;
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid: key.privateJwk.kid ?? 'local', typ: 'JWT' })
    .setSubject(request.userId)
    .setIssuer(request.issuer ?? LOCAL_ISSUER)
    .setAudience(request.audience ?? LOCAL_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(typeof request.ttl === 'number' ? Math.floor(Date.now() / 1000) + request.ttl : (request.ttl ?? DEFAULT_TOKEN_TTL))
    .sign(await importJWK(key.privateJwk, TOKEN_ALGORITHM));
  // A token the gateway would refuse is no use to anyone: say so now rather than with a 401 later.
  if ((decodeJwt(token).exp ?? Infinity) > Math.floor(Date.now() / 1000) + MAX_TOKEN_LIFETIME_SECONDS) {
    throw new RangeError(`A token may live at most ${MAX_TOKEN_LIFETIME_SECONDS / 86_400} days.`);
  }
  return token;
}
