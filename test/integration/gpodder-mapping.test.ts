import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { call } from '../support/api';
import { type GpodderAccount, gpodder, gpodderAccount } from '../support/gpodder';
import { episodeBody, publisher } from '../support/podcasts';

/** Where gpodder meets Playhead's own model: subscriptions ↔ favourites, plays ↔ the queue. */

const auth = (a: GpodderAccount) => ({ basicAuth: { username: a.username, password: a.password } });
const unique = () => randomUUID().slice(0, 8);

async function showWithFeed(feedUrl: string): Promise<string> {
  const showId = randomUUID();
  const response = await call('PUT', `/v1/catalog/shows/${showId}`, { token: await publisher(), body: { title: `Show ${showId.slice(0, 8)}`, feedUrl } });
  expect(response.status, response.text).toBe(200);
  return showId;
}

const favourites = async (a: GpodderAccount) => ((await call('GET', '/v1/favourites', { token: a.token })).json as { show: string }[]).map((f) => f.show);

interface Changes {
  add: string[];
  remove: string[];
  timestamp: number;
}
const pull = async (a: GpodderAccount, device: string, since: number) =>
  (await gpodder('GET', `/gpodder/api/2/subscriptions/${a.username}/${device}.json?since=${since}`, auth(a))).json as Changes;
const upload = async (a: GpodderAccount, device: string, add: string[], remove: string[] = []) =>
  gpodder('POST', `/gpodder/api/2/subscriptions/${a.username}/${device}.json`, { ...auth(a), body: { add, remove } });

describe('gpodder subscriptions and Playhead favourites', () => {
  it('a feed that names a catalog show follows it; another feed stays a subscription only gpodder clients see', async () => {
    const account = await gpodderAccount('map');
    const feed = `https://feeds.example.org/${unique()}.xml`;
    const privateFeed = `https://private.example.org/${unique()}.xml?token=s3cr3t`;
    const showId = await showWithFeed(feed);
    const answer = await upload(account, 'laptop', [feed.replace('https://feeds.', 'HTTP://FEEDS.'), privateFeed]);
    expect(answer.status).toBe(200);
    expect(await favourites(account)).toEqual([showId]);
    const other = await pull(account, 'phone', 0);
    expect(other.add.sort()).toEqual([feed.replace('https://', 'http://'), privateFeed].sort());
    // Removing it in gpodder unfollows it in Playhead.
    await upload(account, 'phone', [], [feed]);
    expect(await favourites(account)).toEqual([]);
  });

  it("Playhead's own unfollow reaches gpodder clients as a removal, and a follow as an add", async () => {
    const account = await gpodderAccount('map-back');
    const feed = `https://feeds.example.org/${unique()}.xml`;
    const laterFeed = `https://feeds.example.org/${unique()}-later.xml`;
    const showId = await showWithFeed(feed);
    const laterShowId = await showWithFeed(laterFeed);
    await upload(account, 'laptop', [feed]);
    const first = await pull(account, 'laptop', 0);
    expect(first.add).toEqual([feed]);
    expect((await call('DELETE', `/v1/favourites/${showId}`, { token: account.token })).status).toBe(200);
    expect((await call('PUT', `/v1/favourites/${laterShowId}`, { token: account.token })).status).toBe(200);
    const next = await pull(account, 'laptop', first.timestamp);
    expect(next.remove).toEqual([feed]);
    expect(next.add).toEqual([laterFeed]);
    // The other device learns the same from scratch, and the whole-list view agrees.
    expect((await pull(account, 'phone', 0)).add).toEqual([laterFeed]);
    expect((await gpodder('GET', `/gpodder/subscriptions/${account.username}.json`, auth(account))).json).toEqual([laterFeed]);
    // Re-subscribing in gpodder follows the show again.
    await upload(account, 'phone', [feed]);
    expect((await favourites(account)).sort()).toEqual([showId, laterShowId].sort());
  });

  it('a feed its publisher moves to another show follows that show once it is followed, in one change, and every read still answers', async () => {
    const account = await gpodderAccount('map-move');
    const feed = `https://feeds.example.org/${unique()}.xml`;
    const firstShow = await showWithFeed(feed);
    await upload(account, 'laptop', [feed]);
    const first = await pull(account, 'laptop', 0);
    const publisherToken = await publisher();
    // The feed moves: off the first show, onto a second one.
    expect((await call('PUT', `/v1/catalog/shows/${firstShow}`, { token: publisherToken, body: { title: 'Moved away' } })).status).toBe(200);
    const secondShow = randomUUID();
    expect((await call('PUT', `/v1/catalog/shows/${secondShow}`, { token: publisherToken, body: { title: 'Moved here', feedUrl: feed } })).status).toBe(200);
    // In Playhead the listener leaves the first show and follows the second: the same feed's removal and follow at once.
    expect((await call('DELETE', `/v1/favourites/${firstShow}`, { token: account.token })).status).toBe(200);
    expect((await call('PUT', `/v1/favourites/${secondShow}`, { token: account.token })).status).toBe(200);
    const next = await gpodder('GET', `/gpodder/api/2/subscriptions/${account.username}/laptop.json?since=${first.timestamp}`, auth(account));
    expect(next.status, next.text).toBe(200);
    expect((next.json as Changes).remove).toEqual([]);
    expect((await gpodder('GET', `/gpodder/subscriptions/${account.username}.json`, auth(account))).json).toEqual([feed]);
    expect((await gpodder('GET', `/gpodder/api/2/devices/${account.username}.json`, auth(account))).status).toBe(200);
  });

  it("a deleted show's feed stays a private subscription, and the simple API's replace never follows a feed outside the catalog", async () => {
    const account = await gpodderAccount('map-deleted');
    const feed = `https://feeds.example.org/${unique()}.xml`;
    const showId = await showWithFeed(feed);
    expect((await call('DELETE', `/v1/catalog/shows/${showId}`, { token: await publisher() })).status).toBe(200);
    const privateFeed = `https://feeds.example.org/${unique()}-private.xml`;
    expect((await gpodder('PUT', `/gpodder/subscriptions/${account.username}/laptop.json`, { ...auth(account), body: [feed, privateFeed] })).status).toBe(200);
    expect(await favourites(account)).toEqual([]);
    expect(((await pull(account, 'laptop', 0)).add).sort()).toEqual([feed, privateFeed].sort());
  });
});

interface QueueEntry {
  episodeId: string;
  state: string;
  playbackSeconds?: number;
}
interface Action {
  podcast: string;
  episode: string;
  action: string;
  timestamp: string;
  guid?: string;
  position?: number;
  total?: number;
  started?: number;
}

async function episodeWithGuid(showId: string, guid: string, durationSeconds = 3600): Promise<{ episodeId: string; audioUrl: string }> {
  const episodeId = randomUUID();
  const body = { ...episodeBody(episodeId, { durationSeconds, publishedAt: new Date(Date.now() - 3_600_000).toISOString() }), guid };
  const response = await call('PUT', `/v1/catalog/shows/${showId}/episodes/${episodeId}`, { token: await publisher(), body });
  expect(response.status, response.text).toBe(200);
  return { episodeId, audioUrl: body.audioUrl };
}

const queue = async (a: GpodderAccount) =>
  ((await call('GET', '/v1/queue?states=queued,playing,finished', { token: a.token })).json as QueueEntry[]).map(({ episodeId, state, playbackSeconds }) => ({ episodeId, state, playbackSeconds }));
const uploadActions = async (a: GpodderAccount, actions: unknown[]) => {
  const answer = await gpodder('POST', `/gpodder/api/2/episodes/${a.username}.json`, { ...auth(a), body: actions });
  expect(answer.status).toBe(200);
  return answer.json as { timestamp: number; update_urls: [string, string][] };
};
const actionsSince = async (a: GpodderAccount, since: number) =>
  (await gpodder('GET', `/gpodder/api/2/episodes/${a.username}.json?since=${since}&aggregated=true`, auth(a))).json as { actions: Action[]; timestamp: number };

describe('gpodder episode actions and the queue', () => {
  it('a play sets the episode’s queue entry playing at its position; the newest play wins by its clamped time; within 30 s of the end is finished', async () => {
    const account = await gpodderAccount('plays');
    const feed = `https://feeds.example.org/${unique()}.xml`;
    const showId = await showWithFeed(feed);
    const one = await episodeWithGuid(showId, `guid-${unique()}`);
    const two = await episodeWithGuid(showId, `guid-${unique()}`);
    await uploadActions(account, [
      { podcast: feed, episode: one.audioUrl, action: 'play', timestamp: '2026-01-01T10:00:00', started: 0, position: 120, total: 3600 },
      { podcast: feed, episode: two.audioUrl, action: 'download', timestamp: '2026-01-01T10:00:00' },
    ]);
    expect(await queue(account)).toEqual([{ episodeId: one.episodeId, state: 'playing', playbackSeconds: 120 }]);
    // An older play, uploaded late, moves nothing back.
    await uploadActions(account, [{ podcast: feed, episode: one.audioUrl, action: 'play', timestamp: '2025-12-31T10:00:00', started: 0, position: 10, total: 3600 }]);
    expect(await queue(account)).toEqual([{ episodeId: one.episodeId, state: 'playing', playbackSeconds: 120 }]);
    // A newer one within 30 s of the end finishes it; a zone in the time is read.
    await uploadActions(account, [{ podcast: feed, episode: one.audioUrl, action: 'PLAY', timestamp: '2026-01-01T12:00:00+01:00', started: 0, position: 3580, total: 3600 }]);
    expect(await queue(account)).toEqual([{ episodeId: one.episodeId, state: 'finished', playbackSeconds: 3580 }]);
    // A time ahead of the server's clock counts as now: a later real play still wins.
    await uploadActions(account, [{ podcast: feed, episode: two.audioUrl, action: 'play', timestamp: '2099-01-01T00:00:00', position: 60, total: 3600 }]);
    // Times are whole seconds: the next play comes a second later.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await uploadActions(account, [{ podcast: feed, episode: two.audioUrl, action: 'play', position: 90, total: 3600 }]);
    expect((await queue(account)).find((e) => e.episodeId === two.episodeId)).toEqual({ episodeId: two.episodeId, state: 'playing', playbackSeconds: 90 });
  });

  it('matches by guid when the app knows the episode by another URL, and returns the guid', async () => {
    const account = await gpodderAccount('guid');
    const feed = `https://feeds.example.org/${unique()}.xml`;
    const showId = await showWithFeed(feed);
    const guid = `urn:uuid:${randomUUID()}`;
    const episode = await episodeWithGuid(showId, guid);
    const trackedUrl = `https://tracker.example.net/redirect/${unique()}.mp3`;
    await uploadActions(account, [{ podcast: feed, episode: trackedUrl, guid, action: 'play', timestamp: '2026-01-01T10:00:00', position: 300, total: 3600, device: 'phone' }]);
    expect(await queue(account)).toEqual([{ episodeId: episode.episodeId, state: 'playing', playbackSeconds: 300 }]);
    const { actions } = await actionsSince(account, 0);
    expect(actions).toEqual([{ podcast: feed, episode: trackedUrl, guid, action: 'play', timestamp: '2026-01-01T10:00:00', device: 'phone', started: 0, position: 300, total: 3600 }]);
  });

  it('Playhead-side changes reach gpodder apps as plays: a finished entry at its end, a playback position where it stands', async () => {
    const account = await gpodderAccount('back');
    const feed = `https://feeds.example.org/${unique()}.xml`;
    const showId = await showWithFeed(feed);
    const guid = `guid-${unique()}`;
    const listened = await episodeWithGuid(showId, guid, 1800);
    const paused = await episodeWithGuid(showId, `guid-${unique()}`, 2400);
    await uploadActions(account, [{ podcast: feed, episode: listened.audioUrl, action: 'play', timestamp: '2026-01-01T10:00:00', position: 120, total: 1800 }]);
    const before = await actionsSince(account, 0);
    expect(before.actions.map((a) => a.position)).toEqual([120]);
    expect((await call('PATCH', `/v1/queue/${listened.episodeId}`, { token: account.token, body: { state: 'finished' } })).status).toBe(200);
    expect((await call('PUT', `/v1/queue/${paused.episodeId}`, { token: account.token, body: { playbackSeconds: 700 } })).status).toBe(200);
    const after = await actionsSince(account, before.timestamp);
    const plays = after.actions.filter((a) => a.action === 'play');
    expect(plays.find((a) => a.episode === listened.audioUrl)).toMatchObject({ podcast: feed, guid, started: 0, position: 1800, total: 1800 });
    expect(plays.find((a) => a.episode === paused.audioUrl)).toMatchObject({ podcast: feed, started: 0, position: 700, total: 2400 });
    for (const action of after.actions) expect(action.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    // Read again: nothing is projected twice, and the app's own play is not echoed as a new change.
    const again = await actionsSince(account, 0);
    expect(again.actions.filter((a) => a.episode === listened.audioUrl)).toHaveLength(1);
  });

  it('skips elements it cannot use instead of refusing the batch, and never puts position fields on other actions', async () => {
    const account = await gpodderAccount('lenient');
    const feed = `https://feeds.example.org/${unique()}.xml`;
    const answer = await uploadActions(account, [
      { podcast: feed, episode: 'https://cdn.example.org/a.mp3', action: 'flattr' },
      { podcast: feed, action: 'play' },
      'not an action',
      { podcast: 'nope', episode: 'https://cdn.example.org/b.mp3', action: 'play' },
      { podcast: feed, episode: 'https://cdn.example.org/c.mp3', action: 'delete', position: -1, started: -1, total: -1 },
      { podcast: feed, episode: 'https://cdn.example.org/d.mp3', action: 'play', position: -1, started: -1, total: -1, timestamp: '2026-01-01T10:00:00.123Z' },
    ]);
    expect(answer.update_urls).toEqual([['nope', '']]);
    const { actions } = await actionsSince(account, 0);
    expect(actions.sort((a, b) => a.episode.localeCompare(b.episode))).toEqual([
      { podcast: feed, episode: 'https://cdn.example.org/c.mp3', action: 'delete', timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/) },
      { podcast: feed, episode: 'https://cdn.example.org/d.mp3', action: 'play', timestamp: '2026-01-01T10:00:00' },
    ]);
  });
});
