import { describe, expect, it } from 'vitest';
import { call, createAsset, newAssetId, newUserId, tokenFor } from '../support/api';

describe('watchlist', () => {
  it('adds a title idempotently: a second PUT keeps the first addedAt and lists it once', async () => {
    const token = await tokenFor(newUserId());
    const assetId = await createAsset();
    const first = await call('PUT', `/v1/watchlist/${assetId}`, { token });
    const second = await call('PUT', `/v1/watchlist/${assetId}`, { token });
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.json).toEqual(first.json);
    const list = await call('GET', '/v1/watchlist', { token });
    expect(list.status).toBe(200);
    expect(list.json).toEqual([first.json]);
  });

  it('accepts asset ids in any letter case and stores and returns them in lower case', async () => {
    const token = await tokenFor(newUserId());
    const assetId = await createAsset();
    const put = await call('PUT', `/v1/watchlist/${assetId.toUpperCase()}`, { token });
    expect(put.status).toBe(200);
    expect((put.json as { asset: string }).asset).toBe(assetId);
    const list = await call('GET', '/v1/watchlist', { token });
    expect((list.json as { asset: string }[]).map((e) => e.asset)).toEqual([assetId]);
  });

  it('removes a title, and removing an absent title is still 200', async () => {
    const token = await tokenFor(newUserId());
    const assetId = await createAsset();
    await call('PUT', `/v1/watchlist/${assetId}`, { token });
    const removed = await call('DELETE', `/v1/watchlist/${assetId}`, { token });
    expect(removed.status).toBe(200);
    expect((await call('GET', '/v1/watchlist', { token })).json).toEqual([]);
    const again = await call('DELETE', `/v1/watchlist/${assetId}`, { token });
    expect(again.status).toBe(200);
  });

  it('DELETE checks no catalog: a never-created asset id is a 200', async () => {
    const token = await tokenFor(newUserId());
    const response = await call('DELETE', `/v1/watchlist/${newAssetId()}`, { token });
    expect(response.status).toBe(200);
  });

  it('refuses an unknown asset with a 404 problem and writes nothing', async () => {
    const token = await tokenFor(newUserId());
    const response = await call('PUT', `/v1/watchlist/${newAssetId()}`, { token });
    expect(response.status).toBe(404);
    expect(response.contentType).toBe('application/problem+json');
    expect((response.json as { type: string }).type).toBe('urn:playhead:problem:asset-not-found');
    expect((await call('GET', '/v1/watchlist', { token })).json).toEqual([]);
  });

  it('refuses a deleted asset with a 404 problem', async () => {
    const token = await tokenFor(newUserId());
    const assetId = await createAsset();
    const publisher = await tokenFor('publisher', { scopes: ['catalog:write'] });
    expect((await call('DELETE', `/v1/catalog/assets/${assetId}`, { token: publisher })).status).toBe(200);
    const response = await call('PUT', `/v1/watchlist/${assetId}`, { token });
    expect(response.status).toBe(404);
  });

  it('refuses a region-restricted asset outside its regions, and without a country claim', async () => {
    const assetId = await createAsset({ regions: ['US', 'CA'] });
    const inUs = await tokenFor(newUserId(), { country: 'US' });
    const inFr = await tokenFor(newUserId(), { country: 'FR' });
    const nowhere = await tokenFor(newUserId());
    expect((await call('PUT', `/v1/watchlist/${assetId}`, { token: inUs })).status).toBe(200);
    const fr = await call('PUT', `/v1/watchlist/${assetId}`, { token: inFr });
    expect(fr.status).toBe(403);
    expect((fr.json as { type: string }).type).toBe('urn:playhead:problem:asset-not-available-in-region');
    expect((await call('PUT', `/v1/watchlist/${assetId}`, { token: nowhere })).status).toBe(403);
    expect((await call('GET', '/v1/watchlist', { token: inFr })).json).toEqual([]);
  });

  it('pages with limit and a Link header, visiting every item exactly once', async () => {
    const token = await tokenFor(newUserId());
    const assetIds = await Promise.all(Array.from({ length: 5 }, () => createAsset()));
    for (const id of assetIds) await call('PUT', `/v1/watchlist/${id}`, { token });
    const seen: string[] = [];
    let next: string | undefined = '/v1/watchlist?limit=2';
    let pages = 0;
    while (next) {
      const page = await call('GET', next, { token });
      expect(page.status).toBe(200);
      expect(Array.isArray(page.json)).toBe(true);
      seen.push(...(page.json as { asset: string }[]).map((e) => e.asset));
      const link = page.headers.get('link');
      next = link ? /^<([^>]+)>; rel="next"$/.exec(link)?.[1] : undefined;
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual([...assetIds].sort());
  });

  it('has no Link header when the page holds everything, even when exactly full', async () => {
    const token = await tokenFor(newUserId());
    const assetIds = await Promise.all(Array.from({ length: 2 }, () => createAsset()));
    for (const id of assetIds) await call('PUT', `/v1/watchlist/${id}`, { token });
    const page = await call('GET', '/v1/watchlist?limit=2', { token });
    expect((page.json as unknown[]).length).toBe(2);
    expect(page.headers.get('link')).toBeNull();
  });

  it("never shows or changes another user's watchlist", async () => {
    const alice = await tokenFor(newUserId('alice'));
    const bob = await tokenFor(newUserId('bob'));
    const assetId = await createAsset();
    await call('PUT', `/v1/watchlist/${assetId}`, { token: alice });
    expect((await call('GET', '/v1/watchlist', { token: bob })).json).toEqual([]);
    // Bob removing "the same" title only touches his own (empty) list.
    expect((await call('DELETE', `/v1/watchlist/${assetId}`, { token: bob })).status).toBe(200);
    expect((await call('GET', '/v1/watchlist', { token: alice })).json).toHaveLength(1);
    // A cursor made from Alice's list gives Bob nothing of hers.
    const extra = await createAsset();
    await call('PUT', `/v1/watchlist/${extra}`, { token: alice });
    const alicePage = await call('GET', '/v1/watchlist?limit=1', { token: alice });
    const link = alicePage.headers.get('link') ?? '';
    const next = /^<([^>]+)>/.exec(link)?.[1] ?? '';
    expect(next).not.toBe('');
    const bobWithAliceCursor = await call('GET', next, { token: bob });
    expect(bobWithAliceCursor.status).toBe(200);
    expect(bobWithAliceCursor.json).toEqual([]);
  });
});
