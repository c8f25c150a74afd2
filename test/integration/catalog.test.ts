import { describe, expect, it } from 'vitest';
import { call, newAssetId, newUserId, tokenFor } from '../support/api';

const publisher = () => tokenFor('publisher', { scopes: ['catalog:write'] });

describe('catalog assets', () => {
  it('creates, reads and replaces an asset; a replacement keeps createdAt', async () => {
    const token = await publisher();
    const assetId = newAssetId();
    const created = await call('PUT', `/v1/catalog/assets/${assetId}`, { token, body: { title: 'Heat', durationSeconds: 10_200, regions: ['us', 'CA', 'US'] } });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({ assetId, title: 'Heat', durationSeconds: 10_200, regions: ['CA', 'US'] });
    const read = await call('GET', `/v1/catalog/assets/${assetId}`, { token: await tokenFor(newUserId()) });
    expect(read.json).toEqual(created.json);
    const replaced = await call('PUT', `/v1/catalog/assets/${assetId}`, { token, body: { title: 'Heat (1995)' } });
    const body = replaced.json as Record<string, unknown>;
    expect(body.title).toBe('Heat (1995)');
    expect(body.createdAt).toBe((created.json as Record<string, unknown>).createdAt);
    expect(body).not.toHaveProperty('regions');
    expect(body).not.toHaveProperty('durationSeconds');
  });

  it('needs the catalog:write scope to change the catalog (403 otherwise) and writes nothing', async () => {
    const viewer = await tokenFor(newUserId());
    const assetId = newAssetId();
    const put = await call('PUT', `/v1/catalog/assets/${assetId}`, { token: viewer, body: { title: 'Nope' } });
    expect(put.status).toBe(403);
    expect((put.json as { type: string }).type).toBe('urn:playhead:problem:forbidden');
    expect((await call('GET', `/v1/catalog/assets/${assetId}`, { token: viewer })).status).toBe(404);
    const del = await call('DELETE', `/v1/catalog/assets/${assetId}`, { token: viewer });
    expect(del.status).toBe(403);
  });

  it('soft-deletes: the asset stays readable with deletedAt, and deleting twice keeps the first time', async () => {
    const token = await publisher();
    const assetId = newAssetId();
    await call('PUT', `/v1/catalog/assets/${assetId}`, { token, body: { title: 'Gone soon' } });
    const first = await call('DELETE', `/v1/catalog/assets/${assetId}`, { token });
    expect(first.status).toBe(200);
    const deletedAt = (first.json as { deletedAt?: string }).deletedAt;
    expect(deletedAt).toBeTypeOf('string');
    const second = await call('DELETE', `/v1/catalog/assets/${assetId}`, { token });
    expect((second.json as { deletedAt?: string }).deletedAt).toBe(deletedAt);
    const read = await call('GET', `/v1/catalog/assets/${assetId}`, { token });
    expect((read.json as { deletedAt?: string }).deletedAt).toBe(deletedAt);
  });

  it('answers 404 for deleting or reading an asset that never existed', async () => {
    const token = await publisher();
    expect((await call('DELETE', `/v1/catalog/assets/${newAssetId()}`, { token })).status).toBe(404);
    expect((await call('GET', `/v1/catalog/assets/${newAssetId()}`, { token })).status).toBe(404);
  });

  it('rejects bad asset bodies naming the fields, and writes nothing', async () => {
    const token = await publisher();
    const assetId = newAssetId();
    const cases: [unknown, string][] = [
      [{ title: '' }, 'body.title'],
      [{ title: 'x'.repeat(501) }, 'body.title'],
      [{ title: 'A', durationSeconds: 1.5 }, 'body.durationSeconds'],
      [{ title: 'A', durationSeconds: 0 }, 'body.durationSeconds'],
      [{ title: 'A', regions: ['USA'] }, 'body.regions.0'],
      [{ title: 'A', regions: [] }, 'body.regions'],
      [{ title: 'A', rating: 'PG' }, 'body.rating'],
      [{}, 'body.title'],
    ];
    for (const [body, field] of cases) {
      const response = await call('PUT', `/v1/catalog/assets/${assetId}`, { token, body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect((response.json as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain(field);
    }
    expect((await call('GET', `/v1/catalog/assets/${assetId}`, { token })).status).toBe(404);
  });
});
