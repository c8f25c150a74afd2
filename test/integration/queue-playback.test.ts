import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { call, newUserId, tokenFor } from '../support/api';
import { pull, waitForFeed } from '../support/feed';
import { pointHandlersAtLocalStack } from '../support/handler-env';
import { createEpisodes, createShow, putEpisode } from '../support/podcasts';
import { openSession, push } from '../support/sync';
import { itemsOfUser } from '../support/table';
import { waitFor } from '../support/wait';

pointHandlersAtLocalStack();
const { applyPlayback } = await import('../../lambdas/queue/queue-rules');

interface QueueEntry {
  episodeId: string;
  position: number;
  state: string;
  playbackSeconds?: number;
  playbackAt?: string;
  episode: { title: string; durationSeconds: number };
}
interface Problem {
  type: string;
  errors?: { field: string }[];
}

const entryOf = async (token: string, episodeId: string, states = 'queued,playing,finished,removed'): Promise<QueueEntry | undefined> => {
  const response = await call('GET', `/v1/queue?states=${states}`, { token });
  expect(response.status).toBe(200);
  return (response.json as QueueEntry[]).find((entry) => entry.episodeId === episodeId);
};
const iso = (ms: number) => new Date(ms).toISOString();

describe('queue playback positions', () => {
  it('are set by PATCH apart from the queue order, bounded by the duration, and kept by state changes', async () => {
    const userId = newUserId('playback');
    const token = await tokenFor(userId);
    const [episodeId] = (await createEpisodes(await createShow(), 1)) as [string];
    await call('PUT', `/v1/queue/${episodeId}`, { token, body: { position: 7 } });

    const before = Date.now();
    const patched = await call('PATCH', `/v1/queue/${episodeId}`, { token, body: { playbackSeconds: 600 } });
    expect(patched.status).toBe(200);
    const entry = patched.json as QueueEntry;
    expect(entry).toMatchObject({ position: 7, state: 'queued', playbackSeconds: 600 });
    expect(Date.parse(entry.playbackAt ?? '')).toBeGreaterThanOrEqual(before - 1000);

    // The end of the episode is allowed; one second past it is not, and writes nothing.
    expect((await call('PATCH', `/v1/queue/${episodeId}`, { token, body: { state: 'playing', playbackSeconds: 1800 } })).status).toBe(200);
    const refused = await call('PATCH', `/v1/queue/${episodeId}`, { token, body: { playbackSeconds: 1801 } });
    expect(refused.status).toBe(400);
    expect((refused.json as Problem).errors?.map((e) => e.field)).toContain('body.playbackSeconds');
    expect(await entryOf(token, episodeId)).toMatchObject({ state: 'playing', playbackSeconds: 1800, position: 7 });

    // A state change without a position keeps it; so does a move.
    await call('PATCH', `/v1/queue/${episodeId}`, { token, body: { state: 'finished' } });
    await call('PATCH', `/v1/queue/${episodeId}`, { token, body: { position: 3 } });
    expect(await entryOf(token, episodeId)).toMatchObject({ state: 'finished', position: 3, playbackSeconds: 1800 });
    // PUT adds again with a position of its own.
    const again = await call('PUT', `/v1/queue/${episodeId}`, { token, body: { playbackSeconds: 12 } });
    expect(again.json).toMatchObject({ state: 'queued', playbackSeconds: 12 });
  });

  it.each([
    ['a fraction of a second', 12.5],
    ['a negative number', -1],
    ['a string', '12'],
    ['null', null],
    ['more than a week', 604_801],
  ])('refuses %s as playbackSeconds with 400 naming it, writing nothing', async (_, playbackSeconds) => {
    const userId = newUserId('badplayback');
    const token = await tokenFor(userId);
    const [episodeId] = (await createEpisodes(await createShow(), 1)) as [string];
    const put = await call('PUT', `/v1/queue/${episodeId}`, { token, body: { playbackSeconds } });
    expect(put.status).toBe(400);
    expect((put.json as Problem).errors?.map((e) => e.field)).toContain('body.playbackSeconds');
    expect(await itemsOfUser(userId)).toEqual([]);
  });

  it('a PATCH must change something, and a PATCH of another user never reaches this queue', async () => {
    const token = await tokenFor(newUserId('empty'));
    const [episodeId] = (await createEpisodes(await createShow(), 1)) as [string];
    await call('PUT', `/v1/queue/${episodeId}`, { token });
    const empty = await call('PATCH', `/v1/queue/${episodeId}`, { token, body: {} });
    expect(empty.status).toBe(400);
    const mallory = await tokenFor(newUserId('mallory'));
    const foreign = await call('PATCH', `/v1/queue/${episodeId}`, { token: mallory, body: { playbackSeconds: 5 } });
    expect(foreign.status).toBe(404);
    expect((foreign.json as Problem).type).toBe('urn:playhead:problem:queue-entry-not-found');
    expect((await entryOf(token, episodeId))?.playbackSeconds).toBeUndefined();
  });

  it('travel in the change feed and in sync pushes, and survive an edit of the episode', async () => {
    const token = await tokenFor(newUserId('playbacksync'));
    const start = (await pull(token)).cursor;
    const showId = await createShow();
    const [episodeId] = (await createEpisodes(showId, 1)) as [string];
    const session = await openSession(token, 'phone');
    const results = await push(token, session.sessionId, [{ id: 'p1', type: 'queue', op: 'upsert', key: episodeId, value: { state: 'playing', playbackSeconds: 95 } }]);
    expect(results.map((r) => r.status)).toEqual(['applied']);
    const rejected = await push(token, session.sessionId, [{ id: 'p2', type: 'queue', op: 'upsert', key: episodeId, value: { playbackSeconds: -3 } }]);
    expect(rejected.map((r) => r.status)).toEqual(['rejected']);
    const changes = await waitForFeed(token, start, (cs) => cs.some((c) => c.key === episodeId && (c.value as QueueEntry).playbackSeconds === 95));
    expect(changes.find((c) => c.key === episodeId)?.value).toMatchObject({ state: 'playing', playbackSeconds: 95 });

    await putEpisode(showId, episodeId, { title: 'Renamed by the publisher' });
    const edited = await waitFor(
      () => entryOf(token, episodeId),
      (entry) => entry?.episode.title === 'Renamed by the publisher',
    );
    expect(edited).toMatchObject({ state: 'playing', playbackSeconds: 95 });
  });
});

describe('applyPlayback (a podcast app reports a play)', () => {
  it('adds the episode if absent, sets playing or finished, and the newest play wins whatever the order of arrival', async () => {
    const userId = newUserId('plays');
    const token = await tokenFor(userId);
    const [episodeId] = (await createEpisodes(await createShow(), 1)) as [string];
    const now = Date.now();

    const first = await applyPlayback(userId, episodeId, { playbackSeconds: 300, at: iso(now - 60_000), finished: false }, iso(now));
    expect(first).toMatchObject({ applied: true, entry: { state: 'playing', playbackSeconds: 300, playbackAt: iso(now - 60_000) } });

    // An older play arriving late changes nothing, not even the state.
    await call('PATCH', `/v1/queue/${episodeId}`, { token, body: { state: 'queued' } });
    const late = await applyPlayback(userId, episodeId, { playbackSeconds: 100, at: iso(now - 120_000), finished: true }, iso(now));
    expect(late).toEqual({ applied: false, reason: 'older' });
    expect(await entryOf(token, episodeId)).toMatchObject({ state: 'queued', playbackSeconds: 300 });

    // A newer one moves it, even backwards (the listener rewound); past the end counts as the end.
    expect(await applyPlayback(userId, episodeId, { playbackSeconds: 30, at: iso(now - 30_000), finished: false }, iso(now))).toMatchObject({ applied: true, entry: { playbackSeconds: 30 } });
    const finished = await applyPlayback(userId, episodeId, { playbackSeconds: 5000, at: iso(now - 10_000), finished: true }, iso(now));
    expect(finished).toMatchObject({ applied: true, entry: { state: 'finished', playbackSeconds: 1800 } });

    // A position the user sets here is as of now, so a play reported as of before it loses.
    await call('PATCH', `/v1/queue/${episodeId}`, { token, body: { state: 'playing', playbackSeconds: 42 } });
    expect(await applyPlayback(userId, episodeId, { playbackSeconds: 900, at: iso(now - 5_000), finished: false }, iso(now))).toEqual({ applied: false, reason: 'older' });
    expect(await entryOf(token, episodeId)).toMatchObject({ state: 'playing', playbackSeconds: 42 });
  });

  it('of concurrent plays, the newest stays', async () => {
    const userId = newUserId('racing');
    const token = await tokenFor(userId);
    const [episodeId] = (await createEpisodes(await createShow(), 1)) as [string];
    const now = Date.now();
    const plays = Array.from({ length: 6 }, (_, i) => ({ playbackSeconds: 100 * (i + 1), at: iso(now - 60_000 + i * 1000), finished: false }));
    await Promise.all([...plays].reverse().map((play) => applyPlayback(userId, episodeId, play, iso(now))));
    expect(await entryOf(token, episodeId)).toMatchObject({ state: 'playing', playbackSeconds: 600, playbackAt: plays[5]?.at });
  });

  it('answers no-episode for an episode that is not published, writing nothing', async () => {
    const userId = newUserId('noepisode');
    expect(await applyPlayback(userId, randomUUID(), { playbackSeconds: 1, at: new Date().toISOString(), finished: false }, new Date().toISOString())).toEqual({ applied: false, reason: 'no-episode' });
    expect(await itemsOfUser(userId)).toEqual([]);
  });
});
