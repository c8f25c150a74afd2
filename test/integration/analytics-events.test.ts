import { describe, expect, it } from 'vitest';
import { analyticsFor } from '../support/analytics';
import { call, createAsset, newAssetId, newUserId, tokenFor } from '../support/api';

describe('analytics events on SQS', () => {
  it('sends exactly one added-to-watchlist event for an add repeated twice, and no user id', async () => {
    const userId = newUserId();
    const token = await tokenFor(userId);
    const assetId = await createAsset();
    await call('PUT', `/v1/watchlist/${assetId}`, { token });
    await call('PUT', `/v1/watchlist/${assetId}`, { token });
    const events = await analyticsFor([assetId], 1);
    expect(events.map((e) => e.event)).toEqual([
      { event: 'added-to-watchlist', assetId, eventId: expect.any(String), occurredAt: expect.any(String) },
    ]);
    expect(events[0]?.raw).not.toContain(userId);
  });

  it('sends one event for 50 concurrent PUTs of the same title', async () => {
    const token = await tokenFor(newUserId());
    const assetId = await createAsset();
    const responses = await Promise.all(Array.from({ length: 50 }, () => call('PUT', `/v1/watchlist/${assetId}`, { token })));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    const events = await analyticsFor([assetId], 1);
    expect(events.map((e) => e.event.event)).toEqual(['added-to-watchlist']);
  });

  it('sends removed-from-watchlist for a real removal only', async () => {
    const token = await tokenFor(newUserId());
    const assetId = await createAsset();
    const neverAdded = await createAsset();
    await call('PUT', `/v1/watchlist/${assetId}`, { token });
    await call('DELETE', `/v1/watchlist/${assetId}`, { token });
    await call('DELETE', `/v1/watchlist/${assetId}`, { token });
    await call('DELETE', `/v1/watchlist/${neverAdded}`, { token });
    const events = await analyticsFor([assetId, neverAdded], 2);
    expect(events.map((e) => [e.event.event, e.event.assetId])).toEqual([
      ['added-to-watchlist', assetId],
      ['removed-from-watchlist', assetId],
    ]);
  });

  it('sends viewed only when progress moves forward; a delete restarts from 0 silently', async () => {
    const token = await tokenFor(newUserId());
    const assetId = await createAsset({ durationSeconds: 1000 });
    for (const progress of [0, 30, 20, 20, 50]) {
      expect((await call('PUT', `/v1/progress/${assetId}`, { token, body: { progress } })).status).toBe(200);
    }
    await call('DELETE', `/v1/progress/${assetId}`, { token });
    await call('PUT', `/v1/progress/${assetId}`, { token, body: { progress: 10 } });
    const events = await analyticsFor([assetId], 3);
    expect(events.map((e) => e.event)).toEqual([
      expect.objectContaining({ event: 'viewed', assetId, oldProgress: 0, newProgress: 30 }),
      expect.objectContaining({ event: 'viewed', assetId, oldProgress: 20, newProgress: 50 }),
      expect.objectContaining({ event: 'viewed', assetId, oldProgress: 0, newProgress: 10 }),
    ]);
    expect(new Set(events.map((e) => e.event.eventId)).size).toBe(3);
  });

  it('sends nothing for refused requests', async () => {
    const token = await tokenFor(newUserId(), { country: 'FR' });
    const restricted = await createAsset({ regions: ['US'] });
    const short = await createAsset({ durationSeconds: 10 });
    const unknown = newAssetId();
    await call('PUT', `/v1/watchlist/${restricted}`, { token });
    await call('PUT', `/v1/watchlist/${unknown}`, { token });
    await call('PUT', `/v1/progress/${short}`, { token, body: { progress: 11 } });
    await call('PUT', `/v1/progress/${short}`, { token, body: { progress: 'x' } });
    expect(await analyticsFor([restricted, short, unknown], 0)).toEqual([]);
  });
});
