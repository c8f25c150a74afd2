import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { call, newUserId, tokenFor } from '../support/api';
import { pull, waitForFeed } from '../support/feed';
import { createEpisodes, createShow, publisher, putEpisode } from '../support/podcasts';
import { openSession, push } from '../support/sync';
import { itemsOfUser } from '../support/table';

interface QueueEntry {
  episodeId: string;
  showId: string;
  position: number;
  state: string;
  available: boolean;
  episode: { title: string; updatedAt: string };
}

const queueOf = async (token: string, states?: string): Promise<QueueEntry[]> => {
  const response = await call('GET', `/v1/queue${states ? `?states=${states}` : ''}`, { token });
  expect(response.status).toBe(200);
  return response.json as QueueEntry[];
};
const ids = (entries: QueueEntry[]) => entries.map((e) => e.episodeId);
const fetchEpisodes = async (token: string, perShow: number) => {
  const response = await call('POST', '/v1/episodes/fetch', { token, body: { perShow } });
  expect(response.status).toBe(200);
  return (response.json as { added: QueueEntry[] }).added;
};

describe('the queue', () => {
  it('adds, orders, moves, changes state and removes; finished and removed entries are remembered', async () => {
    const token = await tokenFor(newUserId('queue'));
    const showId = await createShow();
    const [a, b, c] = (await createEpisodes(showId, 3)) as [string, string, string];
    const added = await call('PUT', `/v1/queue/${a}`, { token });
    expect(added.status).toBe(200);
    expect(added.json).toMatchObject({ episodeId: a, showId, state: 'queued', available: true, episode: { title: expect.any(String) } });
    await call('PUT', `/v1/queue/${b}`, { token, body: { position: 1 } });
    await call('PUT', `/v1/queue/${c.toUpperCase()}`, { token, body: { position: 2 } });
    expect(ids(await queueOf(token))).toEqual([b, c, a]);

    // A PUT of a queued entry without a position changes nothing.
    const again = await call('PUT', `/v1/queue/${a}`, { token });
    expect(again.json).toEqual(added.json);
    await call('PUT', `/v1/queue/${a}`, { token, body: { position: 0 } });
    expect(ids(await queueOf(token))).toEqual([a, b, c]);

    expect((await call('PATCH', `/v1/queue/${a}`, { token, body: { state: 'playing' } })).json).toMatchObject({ state: 'playing' });
    expect((await call('PATCH', `/v1/queue/${a}`, { token, body: { state: 'finished' } })).json).toMatchObject({ state: 'finished' });
    const removed = await call('DELETE', `/v1/queue/${b}`, { token });
    expect(removed.json).toMatchObject({ state: 'removed' });
    expect((await call('DELETE', `/v1/queue/${b}`, { token })).json).toEqual(removed.json);
    expect(ids(await queueOf(token))).toEqual([c]);
    expect(ids(await queueOf(token, 'finished,removed'))).toEqual([a, b]);

    // Re-adding a removed episode queues it at the end.
    const readded = await call('PUT', `/v1/queue/${b}`, { token });
    expect(readded.json).toMatchObject({ state: 'queued' });
    expect(ids(await queueOf(token))).toEqual([c, b]);
  });

  it('refuses unknown, unpublished and scheduled episodes, and changes to entries not in the queue', async () => {
    const token = await tokenFor(newUserId('queue'));
    const showId = await createShow();
    const [gone] = (await createEpisodes(showId, 1)) as [string];
    await call('DELETE', `/v1/catalog/shows/${showId}/episodes/${gone}`, { token: await publisher() });
    const scheduled = randomUUID();
    await putEpisode(showId, scheduled, { publishedAt: new Date(Date.now() + 3_600_000).toISOString() });
    for (const episodeId of [randomUUID(), gone, scheduled]) {
      const response = await call('PUT', `/v1/queue/${episodeId}`, { token });
      expect(response.status).toBe(404);
      expect((response.json as { type: string }).type).toBe('urn:playhead:problem:episode-not-found');
    }
    const patch = await call('PATCH', `/v1/queue/${randomUUID()}`, { token, body: { state: 'finished' } });
    expect((patch.json as { type: string }).type).toBe('urn:playhead:problem:queue-entry-not-found');
    expect((await call('DELETE', `/v1/queue/${randomUUID()}`, { token })).status).toBe(404);
    const bad = await call('PATCH', `/v1/queue/${randomUUID()}`, { token, body: { state: 'paused' } });
    expect((bad.json as { errors: { field: string }[] }).errors[0]?.field).toBe('body.state');
    expect((await call('GET', '/v1/queue?states=queued,lost', { token })).status).toBe(400);
  });

  it("keeps users apart: one user's changes never touch another's queue", async () => {
    const aliceId = newUserId('alice');
    const alice = await tokenFor(aliceId);
    const bob = await tokenFor(newUserId('bob'));
    const [episodeId] = (await createEpisodes(await createShow(), 1)) as [string];
    await call('PUT', `/v1/queue/${episodeId}`, { token: alice });
    expect(await queueOf(bob)).toEqual([]);
    expect((await call('PATCH', `/v1/queue/${episodeId}`, { token: bob, body: { state: 'finished' } })).status).toBe(404);
    expect((await call('DELETE', `/v1/queue/${episodeId}`, { token: bob })).status).toBe(404);
    expect(await queueOf(alice)).toEqual([expect.objectContaining({ episodeId, state: 'queued' })]);
    expect((await itemsOfUser(aliceId)).filter((i) => String(i.SK).startsWith('QUEUE#'))).toHaveLength(1);
  });

  it('joins the change feed and can be pushed through sync sessions', async () => {
    const token = await tokenFor(newUserId('queuesync'));
    const start = (await pull(token)).cursor;
    const [a, b] = (await createEpisodes(await createShow(), 2)) as [string, string];
    await call('PUT', `/v1/queue/${a}`, { token, body: { position: 5 } });
    const session = await openSession(token, 'phone');
    const results = await push(token, session.sessionId, [
      { id: 'q1', type: 'queue', op: 'upsert', key: b, value: { position: 1, state: 'playing' } },
      { id: 'q2', type: 'queue', op: 'delete', key: a },
      { id: 'q3', type: 'queue', op: 'upsert', key: randomUUID() },
      { id: 'q4', type: 'queue', op: 'upsert', key: b, value: { state: 'paused' } },
    ]);
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'rejected', 'rejected']);
    // Episode a's addition is superseded by its removal: one entry per episode.
    const changes = await waitForFeed(token, start, (cs) => cs.some((c) => c.key === a && (c.value as QueueEntry).state === 'removed'));
    expect(changes.map((c) => [c.type, c.key, (c.value as QueueEntry).state])).toEqual([
      ['queue', b, 'playing'],
      ['queue', a, 'removed'],
    ]);
    expect(await queueOf(token)).toEqual([expect.objectContaining({ episodeId: b, position: 1, state: 'playing' })]);
  });
});

describe('episode fetch', () => {
  async function follower(showCount: number, episodesPerShow: number) {
    const userId = newUserId('fetch');
    const token = await tokenFor(userId);
    const shows = await Promise.all(Array.from({ length: showCount }, (_, i) => createShow(`Show ${i}`)));
    const episodes = await Promise.all(shows.map((showId) => createEpisodes(showId, episodesPerShow)));
    for (const showId of shows) expect((await call('PUT', `/v1/favourites/${showId}`, { token })).status).toBe(200);
    return { userId, token, shows, episodes };
  }

  it('hands out up to n newest episodes per show, queues them, and nothing the second time', async () => {
    const { token, shows, episodes } = await follower(3, 4);
    const added = await fetchEpisodes(token, 2);
    expect(added).toHaveLength(6);
    for (const [i, showId] of shows.entries()) {
      expect(added.filter((e) => e.showId === showId).map((e) => e.episodeId)).toEqual(episodes[i]?.slice(0, 2));
    }
    expect(ids(await queueOf(token))).toEqual(ids(added));
    expect(await fetchEpisodes(token, 2)).toEqual([]);

    // Only episodes newer than the last one handed out come next: the older two never do.
    const [showId] = shows as [string];
    const fresh = randomUUID();
    await putEpisode(showId, fresh, { publishedAt: new Date().toISOString() });
    expect(ids(await fetchEpisodes(token, 5))).toEqual([fresh]);
    expect(await fetchEpisodes(token, 50)).toEqual([]);
  });

  it('never brings back a finished or removed episode, nor one already queued by hand', async () => {
    const { token, shows } = await follower(1, 0);
    const [showId] = shows as [string];
    const [finished, removed, queued] = [randomUUID(), randomUUID(), randomUUID()];
    const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
    await putEpisode(showId, finished, { publishedAt: at(3) });
    await putEpisode(showId, removed, { publishedAt: at(2) });
    await putEpisode(showId, queued, { publishedAt: at(1) });
    await call('PUT', `/v1/queue/${finished}`, { token });
    await call('PATCH', `/v1/queue/${finished}`, { token, body: { state: 'finished' } });
    await call('PUT', `/v1/queue/${removed}`, { token });
    await call('DELETE', `/v1/queue/${removed}`, { token });
    await call('PUT', `/v1/queue/${queued}`, { token, body: { position: 7 } });
    expect(await fetchEpisodes(token, 10)).toEqual([]);

    // Even when the newsroom moves their publication date forward, past the fetch position.
    await putEpisode(showId, finished, { publishedAt: new Date().toISOString() });
    await putEpisode(showId, removed, { publishedAt: new Date().toISOString() });
    expect(await fetchEpisodes(token, 10)).toEqual([]);
    expect(await queueOf(token)).toEqual([expect.objectContaining({ episodeId: queued, position: 7 })]);
    expect(ids(await queueOf(token, 'finished,removed'))).toEqual(expect.arrayContaining([finished, removed]));
  });

  it('two devices fetching at once never receive the same episode', async () => {
    const { token, episodes } = await follower(4, 6);
    const rounds = await Promise.all(Array.from({ length: 6 }, () => fetchEpisodes(token, 3)));
    const handed = rounds.flat().map((e) => e.episodeId);
    expect(new Set(handed).size).toBe(handed.length);
    expect(handed.sort()).toEqual(episodes.flatMap((list) => list.slice(0, 3)).sort());
    expect(await queueOf(token)).toHaveLength(12);
  });

  it('skips deleted shows and unpublished or scheduled episodes, and follows no one else', async () => {
    const { token, shows, episodes } = await follower(2, 2);
    const [kept, deleted] = shows as [string, string];
    await call('DELETE', `/v1/catalog/shows/${deleted}`, { token: await publisher() });
    await call('DELETE', `/v1/catalog/shows/${kept}/episodes/${episodes[0]?.[0]}`, { token: await publisher() });
    await putEpisode(kept, randomUUID(), { publishedAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect(ids(await fetchEpisodes(token, 5))).toEqual([episodes[0]?.[1]]);
    const stranger = await tokenFor(newUserId('stranger'));
    expect(await fetchEpisodes(stranger, 5)).toEqual([]);
  });

  it('rejects perShow outside 1..50 and unknown fields', async () => {
    const token = await tokenFor(newUserId('fetch'));
    for (const body of [{ perShow: 0 }, { perShow: 51 }, { perShow: 2.5 }, { perShow: '5' }, {}]) {
      const response = await call('POST', '/v1/episodes/fetch', { token, body });
      expect(response.status).toBe(400);
      expect((response.json as { errors: { field: string }[] }).errors[0]?.field).toBe('body.perShow');
    }
    expect((await call('POST', '/v1/episodes/fetch', { token, body: { perShow: 1, since: 'x' } })).status).toBe(400);
  });
});
