import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { call, createAsset, newUserId, tokenFor } from '../support/api';
import { pointHandlersAtLocalStack } from '../support/handler-env';
import { createEpisodes, createShow } from '../support/podcasts';
import { openSession, push } from '../support/sync';

// The push handler runs in this process against the stack's DynamoDB Local, so a test can make
// it stop at an exact step, as a crash of its Lambda would.
let pushHandler: typeof import('../../lambdas/sync/push-session').handler;
let pushFaults: typeof import('../../lambdas/sync/push-faults').pushFaults;

beforeAll(async () => {
  pointHandlersAtLocalStack();
  ({ handler: pushHandler } = await import('../../lambdas/sync/push-session'));
  ({ pushFaults } = await import('../../lambdas/sync/push-faults'));
});

afterEach(() => {
  delete pushFaults.afterApply;
});

function pushEvent(userId: string, sessionId: string, mutations: unknown[]): APIGatewayProxyEventV2 {
  const path = `/v1/sync/sessions/${sessionId}/push`;
  return {
    version: '2.0',
    routeKey: 'POST /v1/sync/sessions/{sessionId}/push',
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    pathParameters: { sessionId },
    body: JSON.stringify({ mutations }),
    isBase64Encoded: false,
    // Claims as API Gateway's JWT authorizer hands them on: every one a string.
    requestContext: { requestId: `crash-${sessionId}`, authorizer: { jwt: { claims: { sub: userId, exp: String(Math.floor(Date.now() / 1000) + 3600) }, scopes: null } } },
  } as unknown as APIGatewayProxyEventV2;
}

/** Sends a push that dies right after `crashAfter` is applied: nothing after that step runs. */
async function pushThatCrashes(userId: string, sessionId: string, mutations: { id: string }[], crashAfter: string) {
  pushFaults.afterApply = (mutationId) => {
    if (mutationId === crashAfter) throw new Error('the push Lambda died here');
  };
  const response = await pushHandler(pushEvent(userId, sessionId, mutations));
  delete pushFaults.afterApply;
  return response;
}

interface Scenario {
  /** The device's offline change. */
  mutation: Record<string, unknown> & { id: string };
  /** Another device's change to the same item, made after the crash and before the retry. */
  otherDevice: () => Promise<unknown>;
  /** The item as the server holds it. */
  state: () => Promise<unknown>;
}

const ok = async (response: Promise<{ status: number; text: string; json: unknown }>) => {
  const r = await response;
  if (r.status !== 200) throw new Error(`${r.status} ${r.text}`);
  return r.json;
};

const progressOf = async (token: string, assetId: string) => {
  const r = await call('GET', `/v1/progress/${assetId}`, { token });
  return r.status === 404 ? 'none' : (r.json as { progress: number }).progress;
};
const inWatchlist = async (token: string, assetId: string) => ((await ok(call('GET', '/v1/watchlist', { token }))) as { asset: string }[]).some((e) => e.asset === assetId);
const following = async (token: string, showId: string) => ((await ok(call('GET', '/v1/favourites', { token }))) as { show: string }[]).some((e) => e.show === showId);
const queueEntry = async (token: string, episodeId: string) => {
  const queue = (await ok(call('GET', '/v1/queue?states=queued,playing,finished,removed', { token }))) as { episodeId: string; state: string; position: number }[];
  const entry = queue.find((e) => e.episodeId === episodeId);
  return entry && { state: entry.state, position: entry.position };
};
const record = async (token: string, address: string) => {
  const r = await call('GET', `/v1/datasets/${address.replace('/', '/records/')}`, { token });
  return r.status === 404 ? 'none' : (({ value, version }) => ({ value, version }))(r.json as { value: unknown; version: number });
};
const recordKeys = async (token: string, dataset: string) =>
  ((await ok(call('GET', `/v1/datasets/${dataset}/records`, { token }))) as { key: string }[]).map((r) => `${dataset}/${r.key}`);

/** One scenario per synced type and operation: each ends with another device's edit the retry must not undo. */
const scenarios: Record<string, (token: string) => Promise<Scenario>> = {
  'dataset-record upsert under a local id': async (token) => {
    let address = '';
    return {
      mutation: { id: 'm-note', type: 'dataset-record', op: 'upsert', localId: 'note-1', dataset: 'notes', value: { text: 'from the phone' } },
      otherDevice: async () => {
        [address = ''] = await recordKeys(token, 'notes');
        await ok(call('PUT', `/v1/datasets/${address.replace('/', '/records/')}`, { token, body: { value: { text: 'from the laptop' } } }));
      },
      state: async () => ({ keys: await recordKeys(token, 'notes'), record: await record(token, address) }),
    };
  },
  'dataset-record delete': async (token) => {
    await ok(call('PUT', '/v1/datasets/notes/records/shared', { token, body: { value: { text: 'first' } } }));
    return {
      mutation: { id: 'm-del-note', type: 'dataset-record', op: 'delete', key: 'notes/shared' },
      otherDevice: () => ok(call('PUT', '/v1/datasets/notes/records/shared', { token, body: { value: { text: 'written again' } } })),
      state: () => record(token, 'notes/shared'),
    };
  },
  'progress upsert': async (token) => {
    const assetId = await createAsset({ durationSeconds: 3600 });
    return {
      mutation: { id: 'm-progress', type: 'progress', op: 'upsert', key: assetId, value: { progress: 120 } },
      otherDevice: () => ok(call('PUT', `/v1/progress/${assetId}`, { token, body: { progress: 300 } })),
      state: () => progressOf(token, assetId),
    };
  },
  'progress delete': async (token) => {
    const assetId = await createAsset({ durationSeconds: 3600 });
    await ok(call('PUT', `/v1/progress/${assetId}`, { token, body: { progress: 50 } }));
    return {
      mutation: { id: 'm-progress-del', type: 'progress', op: 'delete', key: assetId },
      otherDevice: () => ok(call('PUT', `/v1/progress/${assetId}`, { token, body: { progress: 300 } })),
      state: () => progressOf(token, assetId),
    };
  },
  'watchlist upsert': async (token) => {
    const assetId = await createAsset();
    return {
      mutation: { id: 'm-watch', type: 'watchlist', op: 'upsert', key: assetId },
      otherDevice: () => ok(call('DELETE', `/v1/watchlist/${assetId}`, { token })),
      state: () => inWatchlist(token, assetId),
    };
  },
  'watchlist delete': async (token) => {
    const assetId = await createAsset();
    await ok(call('PUT', `/v1/watchlist/${assetId}`, { token }));
    return {
      mutation: { id: 'm-unwatch', type: 'watchlist', op: 'delete', key: assetId },
      otherDevice: () => ok(call('PUT', `/v1/watchlist/${assetId}`, { token })),
      state: () => inWatchlist(token, assetId),
    };
  },
  'favourite upsert': async (token) => {
    const showId = await createShow();
    return {
      mutation: { id: 'm-follow', type: 'favourite', op: 'upsert', key: showId },
      otherDevice: () => ok(call('DELETE', `/v1/favourites/${showId}`, { token })),
      state: () => following(token, showId),
    };
  },
  'favourite delete': async (token) => {
    const showId = await createShow();
    await ok(call('PUT', `/v1/favourites/${showId}`, { token }));
    return {
      mutation: { id: 'm-unfollow', type: 'favourite', op: 'delete', key: showId },
      otherDevice: () => ok(call('PUT', `/v1/favourites/${showId}`, { token })),
      state: () => following(token, showId),
    };
  },
  'queue upsert': async (token) => {
    const [episodeId = ''] = await createEpisodes(await createShow(), 1);
    return {
      mutation: { id: 'm-queue', type: 'queue', op: 'upsert', key: episodeId, value: { position: 5 } },
      otherDevice: () => ok(call('PATCH', `/v1/queue/${episodeId}`, { token, body: { state: 'finished', position: 9 } })),
      state: () => queueEntry(token, episodeId),
    };
  },
  'queue delete': async (token) => {
    const [episodeId = ''] = await createEpisodes(await createShow(), 1);
    await ok(call('PUT', `/v1/queue/${episodeId}`, { token, body: { position: 1 } }));
    return {
      mutation: { id: 'm-unqueue', type: 'queue', op: 'delete', key: episodeId },
      otherDevice: () => ok(call('PUT', `/v1/queue/${episodeId}`, { token, body: { position: 2 } })),
      state: () => queueEntry(token, episodeId),
    };
  },
};

describe('a push that dies after applying a mutation', () => {
  it.each(Object.keys(scenarios))('%s: the retry answers applied and does not undo the edit another device made meanwhile', async (name) => {
    const userId = newUserId('crash');
    const token = await tokenFor(userId);
    const scenario = await (scenarios[name] as (token: string) => Promise<Scenario>)(token);
    const first = await openSession(token, 'phone');
    const crashed = await pushThatCrashes(userId, first.sessionId, [scenario.mutation], scenario.mutation.id);
    expect(crashed.statusCode).toBe(500);

    await scenario.otherDevice();
    const afterOtherDevice = await scenario.state();

    // The phone never got its answer, so it sends the same push again, in a new session.
    const retry = await openSession(token, 'phone');
    const [answer] = await push(token, retry.sessionId, [scenario.mutation]);
    expect(answer).toMatchObject({ id: scenario.mutation.id, status: 'applied' });
    expect(await scenario.state()).toEqual(afterOtherDevice);
  });

  it('the answer a retry gets is the one stored with the write, even for mutations the crash cut off', async () => {
    const userId = newUserId('crash');
    const token = await tokenFor(userId);
    const mutations = Array.from({ length: 5 }, (_, i) => ({ id: `n${i}`, type: 'dataset-record', op: 'upsert', localId: `l${i}`, dataset: 'notes', value: { i } }));
    const first = await openSession(token, 'phone');
    expect((await pushThatCrashes(userId, first.sessionId, mutations, 'n2')).statusCode).toBe(500);
    // Three records were written before the crash; the retry writes the other two and no more.
    expect(await recordKeys(token, 'notes')).toHaveLength(3);
    const retry = await openSession(token, 'phone');
    const answers = await push(token, retry.sessionId, mutations);
    expect(answers.map((a) => [a.status, (a.value as { version: number }).version])).toEqual(Array.from({ length: 5 }, () => ['applied', 1]));
    const keys = await recordKeys(token, 'notes');
    expect(keys.sort()).toEqual(answers.map((a) => a.key as string).sort());
    // A third push gets exactly the same answers.
    expect(await push(token, (await openSession(token, 'phone')).sessionId, mutations)).toEqual(answers);
  });
});

describe('the same push sent twice at once (a client whose request timed out)', () => {
  it('applies each mutation once: 20 records, each at version 1, and both pushes get the same answers', async () => {
    const token = await tokenFor(newUserId('twice'));
    const mutations = Array.from({ length: 20 }, (_, i) => ({ id: `c${i}`, type: 'dataset-record', op: 'upsert', localId: `r${i}`, dataset: 'notes', value: { i } }));
    const [a, b] = await Promise.all([openSession(token, 'phone'), openSession(token, 'phone')]);
    const [first, second] = await Promise.all([push(token, a.sessionId, mutations), push(token, b.sessionId, mutations)]);
    expect(second).toEqual(first);
    expect(first.every((r) => r.status === 'applied')).toBe(true);
    const records = (await ok(call('GET', '/v1/datasets/notes/records', { token }))) as { version: number }[];
    expect(records).toHaveLength(20);
    expect(records.every((r) => r.version === 1)).toBe(true);
  });

  it('applies a progress write and a queue move once when four copies of the push race', async () => {
    const token = await tokenFor(newUserId('twice'));
    const assetId = await createAsset({ durationSeconds: 3600 });
    const [episodeId = ''] = await createEpisodes(await createShow(), 1);
    const mutations = [
      { id: 'p', type: 'progress', op: 'upsert', key: assetId, value: { progress: 42 } },
      { id: 'q', type: 'queue', op: 'upsert', key: episodeId, value: { position: 3 } },
    ];
    const sessions = await Promise.all([1, 2, 3, 4].map(() => openSession(token, 'phone')));
    const answers = await Promise.all(sessions.map((s) => push(token, s.sessionId, mutations)));
    for (const other of answers.slice(1)) expect(other).toEqual(answers[0]);
    // One write each: the entry was written once (one updatedAt), the progress once.
    const queue = (await ok(call('GET', '/v1/queue', { token }))) as { updatedAt: string }[];
    expect(queue.map((e) => e.updatedAt)).toEqual([(answers[0]?.[1]?.value as { updatedAt: string } | undefined)?.updatedAt]);
    expect((await ok(call('GET', `/v1/progress/${assetId}`, { token })) as { updatedAt: string }).updatedAt).toBe((answers[0]?.[0]?.value as { updatedAt: string } | undefined)?.updatedAt);
  });
});
