import { describe, expect, it } from 'vitest';
import { createClient, manualClock, memoryStore } from '../../client/src/index';
import { call, createAsset, endpoints, newUserId, tokenFor } from '../support/api';
import { contractFetch } from '../support/client';

/** A fetch that counts the progress PUTs and can wait until none is in flight. */
function countingFetch() {
  const inFlight = new Set<Promise<Response>>();
  const counts = { put: 0, other: 0 };
  const tracked: typeof fetch = (input, init) => {
    if (init?.method === 'PUT' && new URL(String(input)).pathname.startsWith('/v1/progress/')) counts.put++;
    else counts.other++;
    const request = contractFetch(input, init);
    inFlight.add(request);
    void request.finally(() => inFlight.delete(request)).catch(() => undefined);
    return request;
  };
  const idle = async () => {
    if (inFlight.size === 0) return;
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    // The client's own bookkeeping after the answer.
    await new Promise((resolve) => setTimeout(resolve, 5));
  };
  return { fetch: tracked, counts, idle };
}

describe('progress throttling', () => {
  it('sends at most one PUT per title per 15 s while playing, and at once on flush', async () => {
    const token = await tokenFor(newUserId('client-progress'));
    const assetId = await createAsset({ durationSeconds: 7200 });
    const clock = manualClock(Date.now());
    const counter = countingFetch();
    const client = createClient({ baseUrl: endpoints.api, token: () => token, deviceId: 'player', store: memoryStore(), clock, fetch: counter.fetch });

    // Ten minutes of playback, one position a second.
    for (let second = 0; second < 600; second++) {
      if (second > 0) await clock.advance(1000);
      await client.progress.set(assetId, second);
      await counter.idle();
    }
    // At once at 0 s, then every 15 s: 15, 30, … 585.
    expect(counter.counts.put).toBe(40);
    // Paused at 599 s: the latest position goes at once, not at 600 s.
    await client.progress.flush();
    expect(counter.counts.put).toBe(41);
    expect(counter.counts.other).toBe(0);
    expect(client.pending()).toEqual([]);

    const stored = await call('GET', `/v1/progress/${assetId}`, { token });
    expect(stored.json).toMatchObject({ progress: 599 });
    expect(client.item('progress', assetId)).toMatchObject({ progress: 599 });
    await client.close();
  });

  it('keeps a position that could not be sent in the outbox, for synchronize()', async () => {
    const token = await tokenFor(newUserId('client-progress-offline'));
    const assetId = await createAsset({ durationSeconds: 7200 });
    let online = false;
    const client = createClient({
      baseUrl: endpoints.api,
      token: () => token,
      deviceId: 'player',
      store: memoryStore(),
      retry: { attempts: 1 },
      fetch: (input, init) => (online ? contractFetch(input, init) : Promise.reject(new TypeError('offline'))),
    });
    await client.progress.set(assetId, 10);
    await client.progress.set(assetId, 11);
    await client.progress.flush();
    // Two positions, one mutation: the later replaced the earlier in the outbox.
    expect(client.pending().map((p) => p.mutation.value)).toEqual([{ progress: 11 }]);
    online = true;
    expect(await client.synchronize()).toMatchObject({ pushed: 1, applied: 1 });
    expect((await call('GET', `/v1/progress/${assetId}`, { token })).json).toMatchObject({ progress: 11 });
  });
});
