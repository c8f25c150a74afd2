import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, newUserId, tokenFor } from '../support/api';
import { pointHandlersAtLocalStack } from '../support/handler-env';
import { pull, waitForFeed } from '../support/feed';
import { createEpisodes, createShow, publisher, putEpisode } from '../support/podcasts';
import { itemsInIndex, putItems, scanItems } from '../support/table';
import { waitFor } from '../support/wait';

let episodeFromItem: typeof import('../../lambdas/catalog/episode-store').episodeFromItem;
let queueItemModule: typeof import('../../lambdas/queue/queue-item');
let fetchedQueueItem: typeof import('../../lambdas/queue/queue-rules').fetchedQueueItem;
let handler: typeof import('../../lambdas/propagation/handler').handler;

beforeAll(async () => {
  pointHandlersAtLocalStack();
  ({ episodeFromItem } = await import('../../lambdas/catalog/episode-store'));
  queueItemModule = await import('../../lambdas/queue/queue-item');
  ({ fetchedQueueItem } = await import('../../lambdas/queue/queue-rules'));
  ({ handler } = await import('../../lambdas/propagation/handler'));
});

interface QueueEntry {
  episodeId: string;
  state: string;
  available: boolean;
  unavailableSince?: string;
  episode: { title: string; updatedAt: string };
}

const entryOf = async (token: string, episodeId: string, states = 'queued,playing,finished,removed') => {
  const queue = (await call('GET', `/v1/queue?states=${states}`, { token })).json as QueueEntry[];
  return queue.find((e) => e.episodeId === episodeId);
};

describe('episode edits reach every queue that holds the episode', () => {
  it('an edit updates the copy and the feed; unpublishing marks the entry unavailable; republishing restores it', async () => {
    const token = await tokenFor(newUserId('holder'));
    const showId = await createShow();
    const [episodeId] = (await createEpisodes(showId, 1)) as [string];
    const start = (await pull(token)).cursor;
    await call('PUT', `/v1/queue/${episodeId}`, { token });

    const edited = await putEpisode(showId, episodeId, { title: 'Corrected title', publishedAt: new Date(Date.now() - 60_000).toISOString() });
    const updated = await waitFor(() => entryOf(token, episodeId), (e) => e?.episode.title === 'Corrected title');
    expect(updated).toMatchObject({ available: true, episode: { title: 'Corrected title', updatedAt: edited.updatedAt } });
    // The refreshed copy reaches the feed, in place of the entry the queueing wrote.
    const changes = await waitForFeed(token, start, (cs) => cs.some((c) => (c.value as QueueEntry).episode.title === 'Corrected title'));
    expect(changes.map((c) => [c.type, c.key, (c.value as QueueEntry).episode.title])).toEqual([['queue', episodeId, 'Corrected title']]);

    await call('DELETE', `/v1/catalog/shows/${showId}/episodes/${episodeId}`, { token: await publisher() });
    const unavailable = await waitFor(() => entryOf(token, episodeId), (e) => e?.available === false);
    expect(unavailable).toMatchObject({ available: false, unavailableSince: expect.any(String), state: 'queued' });

    await putEpisode(showId, episodeId, { title: 'Back again' });
    const back = await waitFor(() => entryOf(token, episodeId), (e) => e?.available === true);
    expect(back).toMatchObject({ available: true, episode: { title: 'Back again' } });
    expect(back).not.toHaveProperty('unavailableSince');
  });

  it('finished and removed entries are no longer holders and keep what they had', async () => {
    const token = await tokenFor(newUserId('holder'));
    const watcher = await tokenFor(newUserId('holder'));
    const showId = await createShow();
    const [episodeId] = (await createEpisodes(showId, 1)) as [string];
    await call('PUT', `/v1/queue/${episodeId}`, { token });
    await call('PATCH', `/v1/queue/${episodeId}`, { token, body: { state: 'finished' } });
    await call('PUT', `/v1/queue/${episodeId}`, { token: watcher });
    const before = await entryOf(token, episodeId);
    await putEpisode(showId, episodeId, { title: 'Edited after finishing' });
    // The active holder is updated; once it is, the finished one would have been too, had it been a holder.
    await waitFor(() => entryOf(watcher, episodeId), (e) => e?.episode.title === 'Edited after finishing');
    expect(await entryOf(token, episodeId)).toEqual(before);
  });

  // Generous waits: on a quiet 2-core machine the 2,000 refreshes and their feed entries take about a minute; beside
  // the rest of the suite (browsers, other stacks, the gpodder clients) several times that.
  it('reaches 2,000 holders, each exactly once, through the work queue', { timeout: 600_000 }, async () => {
    const showId = await createShow();
    const [episodeId] = (await createEpisodes(showId, 1)) as [string];
    const episode = episodeFromItem(
      (await scanItems('PK = :pk', { ':pk': `EPISODE#${episodeId}` }))[0] as Record<string, unknown>,
    );
    const users = Array.from({ length: 2000 }, () => newUserId('many'));
    const now = new Date().toISOString();
    await putItems(users.map((userId, i) => ({ ...queueItemModule.queueKey(userId, episodeId), ...fetchedQueueItem(episode, i, now), ...queueItemModule.holderIndexAttributes(userId, episodeId) })));

    const started = Date.now();
    const edited = await putEpisode(showId, episodeId, { title: 'Fixed for everyone' });
    const refreshedOnly = async () => (await itemsInIndex(`HOLDERS#episode:${episodeId}`)).filter((item) => item.contentUpdatedAt === edited.updatedAt);
    const refreshed = await waitFor(refreshedOnly, (items) => items.length >= users.length, 270_000);
    const seconds = (Date.now() - started) / 1000;
    expect(refreshed).toHaveLength(users.length);
    expect(new Set(refreshed.map((i) => i.PK)).size).toBe(users.length);
    expect(refreshed.every((i) => (i.episode as { title: string }).title === 'Fixed for everyone')).toBe(true);

    // One feed entry per holder for the edit: none missed, none twice.
    const entries = await waitFor(
      () => scanItems('#type = :type AND #key = :key AND updatedAt >= :at', { ':type': 'queue', ':key': episodeId, ':at': edited.updatedAt as string }, { '#type': 'type', '#key': 'key' }),
      (items) => items.length >= users.length,
      270_000,
    );
    const perUser = new Map<unknown, number>();
    for (const entry of entries) perUser.set(entry.PK, (perUser.get(entry.PK) ?? 0) + 1);
    expect(perUser.size).toBe(users.length);
    expect([...perUser.values()].every((count) => count === 1)).toBe(true);
    console.log(`propagated to ${users.length} holders in ${seconds.toFixed(1)} s`);
  });
});

describe('the worker is idempotent', () => {
  it('a job delivered again changes nothing the second time', async () => {
    const token = await tokenFor(newUserId('holder'));
    const showId = await createShow();
    const [episodeId] = (await createEpisodes(showId, 1)) as [string];
    await call('PUT', `/v1/queue/${episodeId}`, { token });
    const edited = await putEpisode(showId, episodeId, { title: 'Once' });
    const first = await waitFor(() => entryOf(token, episodeId), (e) => e?.episode.title === 'Once');
    const body = JSON.stringify({ key: `episode:${episodeId}`, updatedAt: edited.updatedAt });
    const record = { messageId: randomUUID(), body } as Parameters<typeof handler>[0]['Records'][number];
    expect(await handler({ Records: [record, { ...record, messageId: randomUUID() }] })).toEqual({ batchItemFailures: [] });
    expect(await entryOf(token, episodeId)).toEqual(first);
  });
});
