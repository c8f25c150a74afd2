import { describe, expect, it } from 'vitest';
import { call, createAsset, newAssetId, newUserId, tokenFor } from '../support/api';

describe('progress', () => {
  it('records whole seconds and reads them back, one and all', async () => {
    const token = await tokenFor(newUserId());
    const assetId = await createAsset({ durationSeconds: 3600 });
    const put = await call('PUT', `/v1/progress/${assetId}`, { token, body: { progress: 754 } });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ asset: assetId, progress: 754 });
    const one = await call('GET', `/v1/progress/${assetId}`, { token });
    expect(one.status).toBe(200);
    expect(one.json).toEqual(put.json);
    const all = await call('GET', '/v1/progress', { token });
    expect(all.json).toEqual([put.json]);
  });

  it('last write wins, also when the position goes back', async () => {
    const token = await tokenFor(newUserId());
    const assetId = await createAsset({ durationSeconds: 3600 });
    for (const progress of [100, 900, 300]) await call('PUT', `/v1/progress/${assetId}`, { token, body: { progress } });
    const one = await call('GET', `/v1/progress/${assetId}`, { token });
    expect((one.json as { progress: number }).progress).toBe(300);
  });

  it('answers 416 for a negative position or one past the duration, and writes nothing', async () => {
    const token = await tokenFor(newUserId());
    const assetId = await createAsset({ durationSeconds: 60 });
    for (const progress of [-1, 61]) {
      const response = await call('PUT', `/v1/progress/${assetId}`, { token, body: { progress } });
      expect(response.status).toBe(416);
      expect(response.contentType).toBe('application/problem+json');
      expect((response.json as { type: string }).type).toBe('urn:playhead:problem:progress-out-of-range');
    }
    expect((await call('GET', `/v1/progress/${assetId}`, { token })).status).toBe(404);
    expect((await call('PUT', `/v1/progress/${assetId}`, { token, body: { progress: 60 } })).status).toBe(200);
  });

  it('accepts any position up to a week for an asset without a duration', async () => {
    const token = await tokenFor(newUserId());
    const assetId = await createAsset();
    expect((await call('PUT', `/v1/progress/${assetId}`, { token, body: { progress: 604_800 } })).status).toBe(200);
    expect((await call('PUT', `/v1/progress/${assetId}`, { token, body: { progress: 604_801 } })).status).toBe(416);
  });

  it('answers 404 for an unknown asset and for progress never recorded', async () => {
    const token = await tokenFor(newUserId());
    const unknown = newAssetId();
    const put = await call('PUT', `/v1/progress/${unknown}`, { token, body: { progress: 1 } });
    expect(put.status).toBe(404);
    expect((put.json as { type: string }).type).toBe('urn:playhead:problem:asset-not-found');
    const get = await call('GET', `/v1/progress/${unknown}`, { token });
    expect(get.status).toBe(404);
    expect((get.json as { type: string }).type).toBe('urn:playhead:problem:progress-not-found');
  });

  it('DELETE at the credits makes the title start from 0; deleting absent progress is 200', async () => {
    const token = await tokenFor(newUserId());
    const assetId = await createAsset();
    await call('PUT', `/v1/progress/${assetId}`, { token, body: { progress: 50 } });
    expect((await call('DELETE', `/v1/progress/${assetId}`, { token })).status).toBe(200);
    expect((await call('GET', `/v1/progress/${assetId}`, { token })).status).toBe(404);
    expect((await call('DELETE', `/v1/progress/${assetId}`, { token })).status).toBe(200);
    expect((await call('DELETE', `/v1/progress/${newAssetId()}`, { token })).status).toBe(200);
  });

  it('refuses progress on a region-restricted asset outside its regions', async () => {
    const assetId = await createAsset({ regions: ['DE'] });
    const token = await tokenFor(newUserId(), { country: 'US' });
    expect((await call('PUT', `/v1/progress/${assetId}`, { token, body: { progress: 1 } })).status).toBe(403);
    const de = await tokenFor(newUserId(), { country: 'de' });
    expect((await call('PUT', `/v1/progress/${assetId}`, { token: de, body: { progress: 1 } })).status).toBe(200);
  });

  it('pages the progress list', async () => {
    const token = await tokenFor(newUserId());
    const assetIds = await Promise.all(Array.from({ length: 3 }, () => createAsset()));
    for (const id of assetIds) await call('PUT', `/v1/progress/${id}`, { token, body: { progress: 5 } });
    const first = await call('GET', '/v1/progress?limit=2', { token });
    expect((first.json as unknown[]).length).toBe(2);
    const next = /^<([^>]+)>; rel="next"$/.exec(first.headers.get('link') ?? '')?.[1];
    expect(next).toBeDefined();
    const second = await call('GET', next ?? '', { token });
    expect((second.json as unknown[]).length).toBe(1);
    expect(second.headers.get('link')).toBeNull();
  });

  it("never shows or changes another user's progress", async () => {
    const alice = await tokenFor(newUserId('alice'));
    const bob = await tokenFor(newUserId('bob'));
    const assetId = await createAsset();
    await call('PUT', `/v1/progress/${assetId}`, { token: alice, body: { progress: 42 } });
    expect((await call('GET', `/v1/progress/${assetId}`, { token: bob })).status).toBe(404);
    expect((await call('GET', '/v1/progress', { token: bob })).json).toEqual([]);
    await call('DELETE', `/v1/progress/${assetId}`, { token: bob });
    await call('PUT', `/v1/progress/${assetId}`, { token: bob, body: { progress: 7 } });
    expect((await call('GET', `/v1/progress/${assetId}`, { token: alice })).json).toMatchObject({ progress: 42 });
  });
});
