import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { call, createAsset, newUserId, tokenFor } from '../support/api';
import { createShow, publisher } from '../support/podcasts';
import { openSession, push } from '../support/sync';

type FieldErrors = Array<{ field: string; message: string }>;
const errorsOf = (json: unknown): FieldErrors => (json as { errors: FieldErrors }).errors;

/** A sample of the routes, pinned: one wording for every route's bad fields. */
describe('bad fields are answered in plain words on every route', () => {
  it('progress: a missing body, a missing field and a string for a number', async () => {
    const token = await tokenFor(newUserId());
    const assetId = await createAsset({ durationSeconds: 600 });
    const none = await call('PUT', `/v1/progress/${assetId}`, { token });
    expect(none.status).toBe(400);
    expect(errorsOf(none.json)).toEqual([{ field: 'body', message: 'is required' }]);
    const empty = await call('PUT', `/v1/progress/${assetId}`, { token, body: {} });
    expect(errorsOf(empty.json)).toEqual([{ field: 'body.progress', message: 'is required' }]);
    expect((empty.json as { detail: string }).detail).toBe('body.progress: is required');
    const text = await call('PUT', `/v1/progress/${assetId}`, { token, body: { progress: 'ten' } });
    expect(errorsOf(text.json)).toEqual([{ field: 'body.progress', message: 'must be a number' }]);
  });

  it('catalog, queue and catalogs: a wrong type, a choice, and a message the schema states', async () => {
    const asset = await call('PUT', `/v1/catalog/assets/${randomUUID()}`, { token: await publisher(), body: { title: ['Heat'] } });
    expect(asset.status).toBe(400);
    expect(errorsOf(asset.json)).toEqual([{ field: 'body.title', message: 'must be a string' }]);

    const user = await tokenFor(newUserId());
    const queue = await call('PATCH', `/v1/queue/${randomUUID()}`, { token: user, body: { state: 'paused' } });
    expect(queue.status).toBe(400);
    expect(errorsOf(queue.json)).toEqual([{ field: 'body.state', message: 'must be one of "queued", "playing", "finished", "removed"' }]);

    const catalog = await call('GET', '/v1/catalogs/TV%20Line-up', { token: user });
    expect(catalog.status).toBe(400);
    // The schema's own words win over the shared ones.
    expect(errorsOf(catalog.json)).toEqual([{ field: 'path.catalogId', message: 'must be 1 to 64 of a-z 0-9 -, starting with a letter or digit' }]);
  });

  it('favourites: a path id that is not a UUID', async () => {
    await createShow();
    const response = await call('PUT', '/v1/favourites/not-a-show', { token: await tokenFor(newUserId()) });
    expect(response.status).toBe(400);
    expect(errorsOf(response.json)).toEqual([{ field: 'path.showId', message: 'must be a UUID' }]);
  });

  it('sync push: a rejected mutation names its fields the same way', async () => {
    const token = await tokenFor(newUserId());
    const session = await openSession(token, 'phone');
    const results = (await push(token, session.sessionId, [
      { id: 'm-1', type: 'progress', op: 'upsert' },
      { id: 'm-2', type: 'progress', op: 'sideways', key: randomUUID() },
    ])) as Array<{ status: string; problem?: { errors: FieldErrors } }>;
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    const messages = results.flatMap((r) => r.problem?.errors ?? []).map((e) => e.message);
    for (const message of messages) expect(message).not.toMatch(/Invalid|expected|received/);
    expect(results[1]?.problem?.errors).toContainEqual({ field: 'body.mutations.1.op', message: 'must be one of "upsert", "delete"' });
  });
});
