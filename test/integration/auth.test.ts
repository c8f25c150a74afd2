import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { LOCAL_AUDIENCE, LOCAL_ISSUER } from '../../local/local-auth';
import { call, endpoints, newUserId, tokenFor } from '../support/api';

async function foreignToken(): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256');
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: 'not-ours' })
    .setSubject('mallory')
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey);
}

describe('authentication', () => {
  const badTokens: [string, () => Promise<string | undefined>][] = [
    ['no token', async () => undefined],
    ['an expired token', () => tokenFor(newUserId(), { ttl: -60 })],
    ['a token signed by another key', foreignToken],
    ['a token from another issuer', () => tokenFor(newUserId(), { issuer: 'https://evil.example/issuer' })],
    ['a token for another audience', () => tokenFor(newUserId(), { audience: 'someone-else' })],
    [
      'an alg:none token',
      async () => new UnsecuredJWT({}).setSubject('mallory').setIssuer(LOCAL_ISSUER).setAudience(LOCAL_AUDIENCE).setExpirationTime('1h').encode(),
    ],
    ['a token whose signature was altered', async () => `${(await tokenFor(newUserId())).slice(0, -4)}AAAA`],
    ['a malformed token', async () => 'not.a.jwt'],
  ];

  for (const [label, make] of badTokens) {
    it(`answers 401 problem+json to ${label} on every authenticated route`, async () => {
      const token = await make();
      for (const [method, path] of [
        ['GET', '/v1/watchlist'],
        ['PUT', '/v1/watchlist/3f2504e0-4f89-11d3-9a0c-0305e82c3301'],
        ['PUT', '/v1/progress/3f2504e0-4f89-11d3-9a0c-0305e82c3301'],
        ['GET', '/v1/catalog/assets/3f2504e0-4f89-11d3-9a0c-0305e82c3301'],
      ] as const) {
        const response = await call(method, path, { token, body: method === 'PUT' ? { progress: 1 } : undefined });
        expect(response.status, `${method} ${path}`).toBe(401);
        expect(response.contentType).toBe('application/problem+json');
        expect((response.json as { type: string }).type).toBe('urn:playhead:problem:unauthorized');
      }
    });
  }

  it('serves the public key set that verifies local tokens', async () => {
    const response = await fetch(endpoints.jwks);
    const jwks = (await response.json()) as { keys: { kty: string; crv: string; d?: string }[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });
});
