import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { call, newUserId, tokenFor } from '../support/api';
import { pull, waitForFeed } from '../support/feed';
import { openSession, push } from '../support/sync';

const publisher = () => tokenFor('publisher', { scopes: ['catalog:write'] });

async function createShow(title = 'Morning Edition'): Promise<string> {
  const showId = randomUUID();
  const response = await call('PUT', `/v1/catalog/shows/${showId}`, { token: await publisher(), body: { title } });
  if (response.status !== 200) throw new Error(`could not create show: ${response.status} ${response.text}`);
  return showId;
}

describe('catalog shows', () => {
  it('creates, reads, replaces and soft-deletes a show; writes need catalog:write', async () => {
    const token = await publisher();
    const showId = randomUUID();
    const created = await call('PUT', `/v1/catalog/shows/${showId.toUpperCase()}`, {
      token,
      body: { title: ' Fresh Air ', description: 'Interviews', imageUrl: 'https://img.example/fa.png' },
    });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({ showId, title: 'Fresh Air', description: 'Interviews' });
    const viewer = await tokenFor(newUserId());
    expect((await call('GET', `/v1/catalog/shows/${showId}`, { token: viewer })).json).toEqual(created.json);
    expect((await call('PUT', `/v1/catalog/shows/${showId}`, { token: viewer, body: { title: 'x' } })).status).toBe(403);
    expect((await call('DELETE', `/v1/catalog/shows/${showId}`, { token: viewer })).status).toBe(403);
    const replaced = await call('PUT', `/v1/catalog/shows/${showId}`, { token, body: { title: 'Fresh Air' } });
    expect(replaced.json).not.toHaveProperty('description');
    const deleted = await call('DELETE', `/v1/catalog/shows/${showId}`, { token });
    expect((deleted.json as { deletedAt?: string }).deletedAt).toBeTypeOf('string');
    expect((await call('GET', `/v1/catalog/shows/${showId}`, { token: viewer })).json).toMatchObject({ deletedAt: expect.any(String) });
    expect((await call('GET', `/v1/catalog/shows/${randomUUID()}`, { token: viewer })).status).toBe(404);
    expect((await call('DELETE', `/v1/catalog/shows/${randomUUID()}`, { token })).status).toBe(404);
  });

  it('rejects an image URL that is not https', async () => {
    const response = await call('PUT', `/v1/catalog/shows/${randomUUID()}`, { token: await publisher(), body: { title: 'x', imageUrl: 'http://img.example/a.png' } });
    expect(response.status).toBe(400);
    expect((response.json as { errors: { field: string }[] }).errors[0]?.field).toBe('body.imageUrl');
  });
});

describe('favourites', () => {
  it('follows idempotently, lists, unfollows; 404 for unknown or deleted shows', async () => {
    const token = await tokenFor(newUserId('fav'));
    const showId = await createShow();
    const first = await call('PUT', `/v1/favourites/${showId}`, { token });
    const again = await call('PUT', `/v1/favourites/${showId}`, { token });
    expect(first.status).toBe(200);
    expect(again.json).toEqual(first.json);
    expect((await call('GET', '/v1/favourites', { token })).json).toEqual([first.json]);
    expect((await call('DELETE', `/v1/favourites/${showId}`, { token })).status).toBe(200);
    expect((await call('DELETE', `/v1/favourites/${showId}`, { token })).status).toBe(200);
    expect((await call('GET', '/v1/favourites', { token })).json).toEqual([]);

    const unknown = await call('PUT', `/v1/favourites/${randomUUID()}`, { token });
    expect(unknown.status).toBe(404);
    expect((unknown.json as { type: string }).type).toBe('urn:playhead:problem:show-not-found');
    const gone = await createShow();
    await call('DELETE', `/v1/catalog/shows/${gone}`, { token: await publisher() });
    expect((await call('PUT', `/v1/favourites/${gone}`, { token })).status).toBe(404);
  });

  it("keeps users apart", async () => {
    const alice = await tokenFor(newUserId('alice'));
    const bob = await tokenFor(newUserId('bob'));
    const showId = await createShow();
    await call('PUT', `/v1/favourites/${showId}`, { token: alice });
    expect((await call('GET', '/v1/favourites', { token: bob })).json).toEqual([]);
    await call('DELETE', `/v1/favourites/${showId}`, { token: bob });
    expect((await call('GET', '/v1/favourites', { token: alice })).json).toHaveLength(1);
  });

  it('join the change feed and can be pushed through sync sessions (set semantics)', async () => {
    const token = await tokenFor(newUserId('favsync'));
    const start = (await pull(token)).cursor;
    const [a, b] = await Promise.all([createShow('A'), createShow('B')]);
    await call('PUT', `/v1/favourites/${a}`, { token });
    const session = await openSession(token, 'phone');
    const results = await push(token, session.sessionId, [
      { id: 'f1', type: 'favourite', op: 'upsert', key: b },
      { id: 'f2', type: 'favourite', op: 'delete', key: a },
      { id: 'f3', type: 'favourite', op: 'upsert', key: randomUUID() },
    ]);
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'rejected']);
    // The follow of a is superseded by its removal: one entry per show.
    const changes = await waitForFeed(token, start, (cs) => cs.some((c) => c.key === a && c.op === 'delete'));
    expect(changes.map((c) => [c.type, c.key, c.op])).toEqual([
      ['favourite', b, 'upsert'],
      ['favourite', a, 'delete'],
    ]);
    expect((await call('GET', '/v1/favourites', { token })).json).toEqual([expect.objectContaining({ show: b })]);
  });
});
