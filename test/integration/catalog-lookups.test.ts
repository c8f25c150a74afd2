import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { call } from '../support/api';
import { pointHandlersAtLocalStack } from '../support/handler-env';
import { createShow, episodeBody, publisher, putEpisode } from '../support/podcasts';
import { itemsOfPartition, scanItems } from '../support/table';

pointHandlersAtLocalStack();
const { findShowIdByFeedUrl } = await import('../../lambdas/catalog/show-store');
const { findEpisodeForGpodder } = await import('../../lambdas/catalog/episode-store');
const { feedUrlKey } = await import('../../lambdas/catalog/feed-url');

interface Problem {
  type: string;
  status: number;
  errors?: { field: string }[];
}

/** A feed URL no other test uses, with a private token in its query. */
const uniqueFeed = (scheme = 'https') => `${scheme}://Feeds.Example.org/${randomUUID()}/feed.xml?token=${randomUUID()}`;
const lowered = (url: string) => url.replace('Feeds.Example.org', 'feeds.example.org');

async function putShow(showId: string, body: Record<string, unknown>) {
  return call('PUT', `/v1/catalog/shows/${showId}`, { token: await publisher(), body: { title: 'A show', ...body } });
}

async function putEpisodeWith(showId: string, episodeId: string, fields: Record<string, unknown>) {
  return call('PUT', `/v1/catalog/shows/${showId}/episodes/${episodeId}`, { token: await publisher(), body: { ...episodeBody(episodeId), ...fields } });
}

const feedLookup = (url: string) => itemsOfPartition(`FEEDURL#${feedUrlKey(url)}`);

describe('show feed URLs', () => {
  it('are stored normalized, found by any spelling, and unique across shows: a second show gets 409 naming feedUrl and writes nothing', async () => {
    const showId = randomUUID();
    const feed = uniqueFeed();
    const created = await putShow(showId, { feedUrl: `  ${feed}  ` });
    expect(created.status).toBe(200);
    expect((created.json as { feedUrl: string }).feedUrl).toBe(lowered(feed));
    expect(((await call('GET', `/v1/catalog/shows/${showId}`, { token: await publisher() })).json as { feedUrl?: string }).feedUrl).toBe(lowered(feed));
    expect(await findShowIdByFeedUrl(lowered(feed))).toBe(showId);
    expect(await findShowIdByFeedUrl(lowered(feed).replace('https:', 'http:'))).toBe(showId);

    const other = randomUUID();
    const refused = await putShow(other, { feedUrl: feed.replace('https:', 'http:') });
    expect(refused.status).toBe(409);
    expect((refused.json as Problem).type).toBe('urn:playhead:problem:feed-url-taken');
    expect((refused.json as Problem).errors?.map((e) => e.field)).toEqual(['body.feedUrl']);
    expect(await itemsOfPartition(`SHOW#${other}`)).toEqual([]);
    expect(await findShowIdByFeedUrl(lowered(feed))).toBe(showId);

    // The same show may write its URL again, and an edit of other fields keeps it.
    expect((await putShow(showId, { title: 'Renamed', feedUrl: feed })).status).toBe(200);
    expect(await feedLookup(lowered(feed))).toEqual([expect.objectContaining({ showId })]);
  });

  it('move with the show: a new URL frees the old one, and removing it frees it too, in the same write', async () => {
    const showId = randomUUID();
    const first = uniqueFeed();
    const second = uniqueFeed();
    await putShow(showId, { feedUrl: first });
    expect((await putShow(showId, { feedUrl: second })).status).toBe(200);
    expect(await feedLookup(lowered(first))).toEqual([]);
    expect(await findShowIdByFeedUrl(lowered(second))).toBe(showId);

    const taker = randomUUID();
    expect((await putShow(taker, { feedUrl: first })).status).toBe(200);
    expect(await findShowIdByFeedUrl(lowered(first))).toBe(taker);

    const removed = await putShow(showId, {});
    expect(removed.status).toBe(200);
    expect(removed.json).not.toHaveProperty('feedUrl');
    expect(await findShowIdByFeedUrl(lowered(second))).toBeUndefined();
  });

  it('a deleted show keeps its URL (it can be restored), and two shows racing for one URL: one wins', async () => {
    const showId = randomUUID();
    const feed = uniqueFeed();
    await putShow(showId, { feedUrl: feed });
    expect((await call('DELETE', `/v1/catalog/shows/${showId}`, { token: await publisher() })).status).toBe(200);
    expect((await putShow(randomUUID(), { feedUrl: feed })).status).toBe(409);

    const contested = uniqueFeed();
    const racers = Array.from({ length: 4 }, () => randomUUID());
    const answers = await Promise.all(racers.map((id) => putShow(id, { feedUrl: contested })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409, 409]);
    const winner = racers[answers.findIndex((a) => a.status === 200)];
    expect(await findShowIdByFeedUrl(lowered(contested))).toBe(winner);
  });

  it('never put a URL in a key or a look-up item in clear', async () => {
    const marker = randomUUID();
    const showId = randomUUID();
    await putShow(showId, { feedUrl: `https://private.example.org/${marker}/feed.xml?token=${marker}` });
    const lookups = await scanItems('begins_with(PK, :prefix)', { ':prefix': 'FEEDURL#' });
    expect(JSON.stringify(lookups)).not.toContain(marker);
    expect(lookups.filter((item) => item.showId === showId)).toHaveLength(1);
  });

  it.each([
    ['an ftp URL', 'ftp://feeds.example.org/feed.xml'],
    ['a javascript URL', 'javascript:alert(1)//feeds.example.org'],
    ['text that is no URL', 'not a url at all'],
    ['a number', 42],
    ['a URL over 2048 characters', `https://feeds.example.org/${'a'.repeat(2048)}`],
    ['an empty string', ''],
  ])('refuses %s as feedUrl with 400 naming body.feedUrl, writing nothing', async (_, feedUrl) => {
    const showId = randomUUID();
    const response = await putShow(showId, { feedUrl });
    expect(response.status).toBe(400);
    expect((response.json as Problem).errors?.map((e) => e.field)).toContain('body.feedUrl');
    expect(await itemsOfPartition(`SHOW#${showId}`)).toEqual([]);
  });
});

describe('episode guids and enclosure URLs', () => {
  it('keep a guid unique within its show (409 naming guid, nothing written), not across shows', async () => {
    const showId = await createShow();
    const episodeId = randomUUID();
    const guid = `guid-${randomUUID()}`;
    const first = await putEpisodeWith(showId, episodeId, { guid: `  ${guid} ` });
    expect(first.status).toBe(200);
    expect((first.json as { guid: string }).guid).toBe(guid);

    const twin = randomUUID();
    const refused = await putEpisodeWith(showId, twin, { guid });
    expect(refused.status).toBe(409);
    expect((refused.json as Problem).type).toBe('urn:playhead:problem:guid-taken');
    expect((refused.json as Problem).errors?.map((e) => e.field)).toEqual(['body.guid']);
    expect(await itemsOfPartition(`EPISODE#${twin}`)).toEqual([]);

    const elsewhere = await createShow();
    expect((await putEpisodeWith(elsewhere, randomUUID(), { guid })).status).toBe(200);

    // A new guid frees the old one for another episode of the show.
    expect((await putEpisodeWith(showId, episodeId, { guid: `${guid}-v2` })).status).toBe(200);
    expect((await putEpisodeWith(showId, twin, { guid })).status).toBe(200);
  });

  it('are found as podcast apps name them: by guid first, then by enclosure URL in any spelling; deleted episodes are not', async () => {
    const showId = await createShow();
    const byGuid = randomUUID();
    const byUrl = randomUUID();
    const guid = `urn:uuid:${randomUUID()}`;
    await putEpisodeWith(showId, byGuid, { guid, audioUrl: `https://cdn.example.org/a/${byGuid}.mp3` });
    await putEpisodeWith(showId, byUrl, { audioUrl: `https://CDN.example.org/a/${byUrl}.mp3?src=rss` });

    expect((await findEpisodeForGpodder({ showId, guid, audioUrl: 'https://elsewhere.example.org/x.mp3' }))?.episodeId).toBe(byGuid);
    // The guid wins over a URL that names another episode.
    expect((await findEpisodeForGpodder({ showId, guid, audioUrl: `https://cdn.example.org/a/${byUrl}.mp3?src=rss` }))?.episodeId).toBe(byGuid);
    expect((await findEpisodeForGpodder({ showId, audioUrl: `http://cdn.example.org/a/${byUrl}.mp3?src=rss` }))?.episodeId).toBe(byUrl);
    expect((await findEpisodeForGpodder({ showId, guid: 'unknown-guid', audioUrl: `https://cdn.example.org/a/${byUrl}.mp3?src=rss` }))?.episodeId).toBe(byUrl);
    expect(await findEpisodeForGpodder({ showId, audioUrl: `https://cdn.example.org/a/${byUrl}.mp3` })).toBeUndefined();
    expect(await findEpisodeForGpodder({ showId: await createShow(), guid, audioUrl: `https://cdn.example.org/a/${byGuid}.mp3` })).toBeUndefined();
    expect(await findEpisodeForGpodder({ showId, audioUrl: 'not a url' })).toBeUndefined();

    // A moved enclosure is found at its new URL only.
    await putEpisodeWith(showId, byUrl, { audioUrl: `https://cdn2.example.org/${byUrl}.mp3` });
    expect(await findEpisodeForGpodder({ showId, audioUrl: `https://cdn.example.org/a/${byUrl}.mp3?src=rss` })).toBeUndefined();
    expect((await findEpisodeForGpodder({ showId, audioUrl: `https://cdn2.example.org/${byUrl}.mp3` }))?.episodeId).toBe(byUrl);

    expect((await call('DELETE', `/v1/catalog/shows/${showId}/episodes/${byGuid}`, { token: await publisher() })).status).toBe(200);
    expect(await findEpisodeForGpodder({ showId, guid, audioUrl: `https://cdn.example.org/a/${byGuid}.mp3` })).toBeUndefined();
  });

  it('of several episodes with one file, finds the newest', async () => {
    const showId = await createShow();
    const [older, newer] = [randomUUID(), randomUUID()];
    const audioUrl = `https://cdn.example.org/shared/${randomUUID()}.mp3`;
    await putEpisodeWith(showId, older, { audioUrl, publishedAt: '2026-01-01T00:00:00Z' });
    await putEpisodeWith(showId, newer, { audioUrl, publishedAt: '2026-02-01T00:00:00Z' });
    expect((await findEpisodeForGpodder({ showId, audioUrl }))?.episodeId).toBe(newer);
  });

  it('an episode id of another show is still refused (409 episode-in-other-show) and its guid is not claimed', async () => {
    const showId = await createShow();
    const episodeId = randomUUID();
    await putEpisode(showId, episodeId);
    const guid = `guid-${randomUUID()}`;
    const other = await createShow();
    const refused = await putEpisodeWith(other, episodeId, { guid });
    expect(refused.status).toBe(409);
    expect((refused.json as Problem).type).toBe('urn:playhead:problem:episode-in-other-show');
    expect(await findEpisodeForGpodder({ showId: other, guid, audioUrl: 'https://cdn.example.org/none.mp3' })).toBeUndefined();
  });

  it.each([
    ['an empty guid', ''],
    ['a blank guid', '   '],
    ['a number', 42],
    ['a guid over 1024 characters', 'g'.repeat(1025)],
  ])('refuses %s with 400 naming body.guid, writing nothing', async (_, guid) => {
    const showId = await createShow();
    const episodeId = randomUUID();
    const response = await putEpisodeWith(showId, episodeId, { guid });
    expect(response.status).toBe(400);
    expect((response.json as Problem).errors?.map((e) => e.field)).toContain('body.guid');
    expect(await itemsOfPartition(`EPISODE#${episodeId}`)).toEqual([]);
  });
});
