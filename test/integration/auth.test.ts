import { createPrivateKey, type JsonWebKey, sign } from 'node:crypto';
import { request } from 'node:http';
import { connect } from 'node:net';
import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, inject, it } from 'vitest';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, loadOrCreateSigningKey } from '../../local/local-auth';
import { stateFiles } from '../../local/paths';
import { call, endpoints, newUserId, tokenFor } from '../support/api';

const signingKey = await loadOrCreateSigningKey(stateFiles(inject('stateDir')).signingKey);

/**
 * A token the local issuer signed over exactly this claims text: jose refuses to sign values
 * such as 1e309, and an issuer with a bug would not.
 */
function signedByOurIssuer(claimsJson: string): string {
  const encode = (text: string) => Buffer.from(text).toString('base64url');
  const input = `${encode(JSON.stringify({ alg: 'ES256', kid: signingKey.privateJwk.kid, typ: 'JWT' }))}.${encode(claimsJson)}`;
  const key = createPrivateKey({ key: signingKey.privateJwk as JsonWebKey, format: 'jwk' });
  return `${input}.${sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
/** The claims of a sound token, as JSON text, with some replaced by raw JSON values (undefined: left out). */
function claimsText(overrides: Record<string, string | undefined> = {}): string {
  const fields: Record<string, string | undefined> = {
    sub: JSON.stringify(newUserId()),
    iss: JSON.stringify(LOCAL_ISSUER),
    aud: JSON.stringify(LOCAL_AUDIENCE),
    iat: String(nowSeconds()),
    exp: String(nowSeconds() + 3600),
    ...overrides,
  };
  return `{${Object.entries(fields)
    .filter((field): field is [string, string] => field[1] !== undefined)
    .map(([name, raw]) => `${JSON.stringify(name)}:${raw}`)
    .join(',')}}`;
}

/** One request with the raw header lines given, read to the end of the connection. */
function rawRequest(head: string, timeoutMs = 10_000): Promise<{ status: number; headers: Record<string, string>; body: string; error?: string }> {
  const { hostname, port } = new URL(endpoints.api);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let error: string | undefined;
    const socket = connect({ host: hostname, port: Number(port) }, () => socket.write(head));
    const timer = setTimeout(() => reject(new Error('no answer')), timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const [headText = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = headText.split('\r\n');
      const headers = Object.fromEntries(headerLines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1] ?? 0), headers, body: rest.join('\r\n\r\n'), error });
    });
  });
}

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

  it('accepts a sound token signed over raw claims text (so the refusals below are about the claims)', async () => {
    const response = await call('GET', '/v1/watchlist', { token: signedByOurIssuer(claimsText()) });
    expect(response.status).toBe(200);
  });

  const nonsense: [string, Record<string, string | undefined>][] = [
    ['exp 1e309 (Infinity: it would never expire)', { exp: '1e309' }],
    ['exp a year ahead', { exp: String(nowSeconds() + 365 * 86400) }],
    ['exp as a string', { exp: JSON.stringify(String(nowSeconds() + 3600)) }],
    ['no exp', { exp: undefined }],
    ['iat ten years ahead', { iat: String(nowSeconds() + 10 * 365 * 86400) }],
    ['iat five minutes ahead', { iat: String(nowSeconds() + 300) }],
    ['iat 1e309', { iat: '1e309' }],
    ['nbf as a string', { nbf: '"soon"' }],
    ['nbf -1e309', { nbf: '-1e309' }],
    ['sub null', { sub: 'null' }],
    ['sub an object', { sub: '{"id":"alice"}' }],
    ['sub an array', { sub: '["alice","bob"]' }],
    ['sub a number', { sub: '42' }],
    ['sub empty', { sub: '""' }],
    ['sub with U+FFFF', { sub: '"alice\\uffff"' }],
    ['sub with a newline', { sub: '"alice\\nbob"' }],
    ['sub with a lone surrogate', { sub: '"alice\\ud800"' }],
    ['sub over 256 characters', { sub: JSON.stringify('s'.repeat(257)) }],
  ];
  it.each(nonsense)('answers 401 to a token our issuer signed with %s', async (_, overrides) => {
    const response = await call('GET', '/v1/watchlist', { token: signedByOurIssuer(claimsText(overrides)) });
    expect(response.status).toBe(401);
    expect((response.json as { type: string }).type).toBe('urn:playhead:problem:unauthorized');
  });

  it('answers 401 to a request with two Authorization headers, whichever comes first', async () => {
    const good = `Bearer ${await tokenFor(newUserId())}`;
    const send = (values: string[]) =>
      new Promise<{ status: number; type: string }>((resolve, reject) => {
        const req = request(`${endpoints.api}/v1/watchlist`, { headers: ['host', 'localhost', ...values.flatMap((value) => ['authorization', value])] }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, type: text === '' ? '' : String((JSON.parse(text) as { type?: string }).type) }));
        });
        req.on('error', reject);
        req.end();
      });
    expect((await send([good])).status).toBe(200);
    for (const values of [[good, 'Bearer garbage'], ['Bearer garbage', good], [good, good]]) {
      expect(await send(values)).toEqual({ status: 401, type: 'urn:playhead:problem:unauthorized' });
    }
  });

  it('answers 401, on a connection that stays sane, to a 15 KB token', async () => {
    const response = await rawRequest(`GET /v1/watchlist HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer ${'a'.repeat(15 * 1024)}\r\nconnection: close\r\n\r\n`);
    expect(response.error).toBeUndefined();
    expect(response.status).toBe(401);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(response.body)).toMatchObject({ type: 'urn:playhead:problem:unauthorized', status: 401 });
  });

  it.each([
    ['20 KB', 20 * 1024],
    ['100 KB', 100 * 1024],
    ['1 MB', 1024 * 1024],
  ])('answers 431 problem+json, a whole response before the connection closes, to %s of headers', async (_, size) => {
    const response = await rawRequest(`GET /v1/watchlist HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer ${'a'.repeat(size)}\r\n\r\n`);
    expect(response.error).toBeUndefined();
    expect(response.status).toBe(431);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.headers.connection).toBe('close');
    expect(Number(response.headers['content-length'])).toBe(Buffer.byteLength(response.body));
    expect(JSON.parse(response.body)).toMatchObject({
      type: 'urn:playhead:problem:headers-too-large',
      status: 431,
      errors: [{ field: 'header', message: expect.any(String) }],
    });
  });

  it('serves the public key set that verifies local tokens', async () => {
    const response = await fetch(endpoints.jwks);
    const jwks = (await response.json()) as { keys: { kty: string; crv: string; d?: string }[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });
});
