import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';

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
  if (existsSync(file)) {
    return JSON.parse(readFileSync(file, 'utf8')) as SigningKey;
  }
  const { privateKey, publicKey } = await generateKeyPair(TOKEN_ALGORITHM, { extractable: true });
  const kid = `playhead-local-${Date.now().toString(36)}`;
  const key: SigningKey = {
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: TOKEN_ALGORITHM, use: 'sig' },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: TOKEN_ALGORITHM, use: 'sig' },
  };
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(key, null, 2), { mode: 0o600 });
  return key;
}

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
  return new SignJWT(claims)
    .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid: key.privateJwk.kid ?? 'local', typ: 'JWT' })
    .setSubject(request.userId)
    .setIssuer(request.issuer ?? LOCAL_ISSUER)
    .setAudience(request.audience ?? LOCAL_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(typeof request.ttl === 'number' ? Math.floor(Date.now() / 1000) + request.ttl : (request.ttl ?? '1h'))
    .sign(await importJWK(key.privateJwk, TOKEN_ALGORITHM));
}
