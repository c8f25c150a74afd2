import { randomUUID } from 'node:crypto';
import { generateKeyPair, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_AUDIENCE, LOCAL_ISSUER } from '../../local/local-auth';
import { call, newUserId, tokenFor } from '../support/api';
import { pointHandlersAtLocalStack } from '../support/handler-env';
import { itemsOfPartition, itemsOfUser } from '../support/table';

pointHandlersAtLocalStack();
const { verifyGpodderCredential, credentialIsLive } = await import('../../lambdas/gpodder/credential-store');
const { MAX_GPODDER_CREDENTIALS_PER_USER } = await import('../../lambdas/gpodder/credential-item');

interface Created {
  id: string;
  username: string;
  password: string;
  label: string;
  createdAt: string;
}
interface Listed {
  id: string;
  username: string;
  label: string;
  createdAt: string;
  lastUsedAt?: string;
}
interface Problem {
  type: string;
  status: number;
  errors?: { field: string }[];
}

async function create(token: string, label = 'AntennaPod on the phone'): Promise<Created> {
  const response = await call('POST', '/v1/gpodder/credentials', { token, body: { label } });
  expect(response.status).toBe(201);
  return response.json as Created;
}

async function list(token: string): Promise<Listed[]> {
  const response = await call('GET', '/v1/gpodder/credentials', { token });
  expect(response.status).toBe(200);
  return response.json as Listed[];
}

/** Every item a credential left anywhere: the owner's partition and its login's. */
const everyItemOf = async (userId: string, username: string) => [...(await itemsOfUser(userId)), ...(await itemsOfPartition(`GPCRED#${username}`))];

describe('gpodder credentials', () => {
  it('makes a username and a 144-bit password shown once, lists without secrets, verifies, and revokes', async () => {
    const userId = newUserId('gpodder');
    const token = await tokenFor(userId);
    const created = await create(token, '  Kasts on the laptop  ');
    expect(created.username).toMatch(/^ph-[a-km-np-z2-9]{10}$/);
    expect(created.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(Buffer.from(created.password, 'base64url')).toHaveLength(18);
    expect(created.label).toBe('Kasts on the laptop');

    const listed = await list(token);
    expect(listed).toEqual([{ id: created.id, username: created.username, label: created.label, createdAt: created.createdAt }]);
    // The password is nowhere but in the creation's answer: not in the list, not in any item.
    const stored = JSON.stringify(await everyItemOf(userId, created.username));
    expect(stored).toContain(created.username);
    expect(stored).not.toContain(created.password);

    expect(await verifyGpodderCredential(created.username, created.password)).toEqual({ userId, credentialId: created.id });
    expect(await credentialIsLive(userId, created.id)).toBe(true);
    expect(await verifyGpodderCredential(created.username, `${created.password.slice(0, -1)}${created.password.endsWith('A') ? 'B' : 'A'}`)).toBeUndefined();
    expect(await verifyGpodderCredential(created.username, '')).toBeUndefined();
    expect(await verifyGpodderCredential(created.username.toUpperCase(), created.password)).toBeUndefined();
    expect(await verifyGpodderCredential('ph-aaaaaaaaaa', created.password)).toBeUndefined();

    const revoked = await call('DELETE', `/v1/gpodder/credentials/${created.id.toUpperCase()}`, { token });
    expect(revoked.status).toBe(200);
    expect(revoked.json).toMatchObject({ id: created.id, username: created.username });
    expect(await verifyGpodderCredential(created.username, created.password)).toBeUndefined();
    expect(await credentialIsLive(userId, created.id)).toBe(false);
    expect(await list(token)).toEqual([]);
    expect(await itemsOfPartition(`GPCRED#${created.username}`)).toEqual([]);

    const again = await call('DELETE', `/v1/gpodder/credentials/${created.id}`, { token });
    expect(again.status).toBe(404);
    expect((again.json as Problem).type).toBe('urn:playhead:problem:gpodder-credential-not-found');
  });

  it('gives every credential its own username and password, all signing in the same user', async () => {
    const userId = newUserId('installs');
    const token = await tokenFor(userId);
    const made = await Promise.all(['phone', 'tablet', 'laptop'].map((label) => create(token, label)));
    expect(new Set(made.map((c) => c.username)).size).toBe(3);
    expect(new Set(made.map((c) => c.password)).size).toBe(3);
    for (const credential of made) expect(await verifyGpodderCredential(credential.username, credential.password)).toEqual({ userId, credentialId: credential.id });
    // One app's password opens no other app's username.
    const [phone, tablet] = made as [Created, Created, Created];
    expect(await verifyGpodderCredential(phone.username, tablet.password)).toBeUndefined();
    expect((await list(token)).map((c) => c.id).sort()).toEqual(made.map((c) => c.id).sort());
  });

  it('notes the latest sign-in as lastUsedAt, and a revoked credential stays gone', async () => {
    const userId = newUserId('used');
    const token = await tokenFor(userId);
    const created = await create(token);
    const before = Date.now();
    await verifyGpodderCredential(created.username, created.password);
    const [listed] = await list(token);
    expect(Date.parse(listed?.lastUsedAt ?? '')).toBeGreaterThanOrEqual(before - 1000);
    await call('DELETE', `/v1/gpodder/credentials/${created.id}`, { token });
    expect(await verifyGpodderCredential(created.username, created.password)).toBeUndefined();
    expect(await itemsOfUser(userId)).toEqual([expect.objectContaining({ SK: 'GPCREDS', count: 0 })]);
  });

  it("never reaches another user's credentials: not listed, not revocable, still signing in", async () => {
    const alice = newUserId('alice');
    const aliceToken = await tokenFor(alice);
    const credential = await create(aliceToken);
    const mallory = await tokenFor(newUserId('mallory'));
    expect(await list(mallory)).toEqual([]);
    const refused = await call('DELETE', `/v1/gpodder/credentials/${credential.id}`, { token: mallory });
    expect(refused.status).toBe(404);
    expect((refused.json as Problem).type).toBe('urn:playhead:problem:gpodder-credential-not-found');
    expect(await verifyGpodderCredential(credential.username, credential.password)).toEqual({ userId: alice, credentialId: credential.id });
    expect((await list(aliceToken)).map((c) => c.id)).toEqual([credential.id]);
  });

  it(`allows ${MAX_GPODDER_CREDENTIALS_PER_USER} credentials a user, also to concurrent creations; the next is 409 and writes nothing`, async () => {
    const userId = newUserId('limit');
    const token = await tokenFor(userId);
    for (let i = 0; i < MAX_GPODDER_CREDENTIALS_PER_USER - 2; i++) await create(token, `app ${i}`);
    const racing = await Promise.all(Array.from({ length: 6 }, (_, i) => call('POST', '/v1/gpodder/credentials', { token, body: { label: `racer ${i}` } })));
    expect(racing.map((r) => r.status).sort()).toEqual([201, 201, 409, 409, 409, 409]);
    const refused = racing.find((r) => r.status === 409);
    expect((refused?.json as Problem | undefined)?.type).toBe('urn:playhead:problem:gpodder-credential-limit-reached');
    const listed = await list(token);
    expect(listed).toHaveLength(MAX_GPODDER_CREDENTIALS_PER_USER);
    const logins = await Promise.all(listed.map((c) => itemsOfPartition(`GPCRED#${c.username}`)));
    expect(logins.flat()).toHaveLength(MAX_GPODDER_CREDENTIALS_PER_USER);

    expect((await call('DELETE', `/v1/gpodder/credentials/${listed[0]?.id}`, { token })).status).toBe(200);
    await create(token, 'after a revocation');
    expect(await list(token)).toHaveLength(MAX_GPODDER_CREDENTIALS_PER_USER);
  });

  it('revokes once when two revocations race', async () => {
    const userId = newUserId('race');
    const token = await tokenFor(userId);
    const created = await create(token);
    const answers = await Promise.all([1, 2, 3].map(() => call('DELETE', `/v1/gpodder/credentials/${created.id}`, { token })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 404, 404]);
    expect(await itemsOfUser(userId)).toEqual([expect.objectContaining({ SK: 'GPCREDS', count: 0 })]);
  });
});

describe('gpodder credentials: bad input', () => {
  let token: string;
  let userId: string;
  beforeAll(async () => {
    userId = newUserId('bad');
    token = await tokenFor(userId);
  });

  const labels: [string, unknown, string][] = [
    ['no label', {}, 'body.label'],
    ['an empty label', { label: '' }, 'body.label'],
    ['a blank label', { label: '   ' }, 'body.label'],
    ['a number', { label: 42 }, 'body.label'],
    ['null', { label: null }, 'body.label'],
    ['a label over 100 characters', { label: 'l'.repeat(101) }, 'body.label'],
    ['a newline in the label', { label: 'phone\nadmin' }, 'body.label'],
    ['a NUL in the label', { label: 'phone\u0000' }, 'body.label'],
    ['an unknown field', { label: 'phone', username: 'ph-chosenbyme' }, 'body.username'],
    ['a password of its own', { label: 'phone', password: 'hunter2' }, 'body.password'],
  ];
  it.each(labels)('refuses %s with 400 naming the field, writing nothing', async (_, body, field) => {
    const response = await call('POST', '/v1/gpodder/credentials', { token, body });
    expect(response.status).toBe(400);
    expect(response.contentType).toBe('application/problem+json');
    expect((response.json as Problem).errors?.map((e) => e.field)).toContain(field);
    expect(await itemsOfUser(userId)).toEqual([]);
  });

  it('refuses a credential id that is not a UUID, naming path.credentialId', async () => {
    for (const id of ['ph-k7m2q9x4tz', 'not-a-uuid', "x'%20OR%20'1'%3D'1", '%00']) {
      const response = await call('DELETE', `/v1/gpodder/credentials/${id}`, { token });
      expect(response.status).toBe(400);
      expect((response.json as Problem).errors?.map((e) => e.field)).toContain('path.credentialId');
    }
  });

  it('answers a missing, forged or expired bearer token with 401 on every credential route, writing nothing', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setSubject(userId).setIssuer(LOCAL_ISSUER).setAudience(LOCAL_AUDIENCE).setIssuedAt().setExpirationTime('1h').sign(privateKey);
    const expired = await tokenFor(userId, { ttl: -60 });
    for (const bad of [undefined, forged, expired, `${token.slice(0, -4)}AAAA`]) {
      for (const [method, path, body] of [
        ['POST', '/v1/gpodder/credentials', { label: 'phone' }],
        ['GET', '/v1/gpodder/credentials', undefined],
        ['DELETE', `/v1/gpodder/credentials/${randomUUID()}`, undefined],
      ] as const) {
        const response = await call(method, path, { token: bad, body });
        expect(response.status, `${method} ${path}`).toBe(401);
        expect((response.json as Problem).type).toBe('urn:playhead:problem:unauthorized');
      }
    }
    expect(await itemsOfUser(userId)).toEqual([]);
  });

  it('refuses a body over 16 KiB with 413', async () => {
    const response = await call('POST', '/v1/gpodder/credentials', { token, rawBody: JSON.stringify({ label: 'x'.repeat(17 * 1024) }), headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(413);
    expect(await itemsOfUser(userId)).toEqual([]);
  });

  it('refuses a username or password of the wrong shape without reading anything', async () => {
    expect(await verifyGpodderCredential('', '')).toBeUndefined();
    expect(await verifyGpodderCredential('admin', 'x'.repeat(300))).toBeUndefined();
    expect(await verifyGpodderCredential('ph-k7m2q9x4tz\u0000', 'password')).toBeUndefined();
  });
});
