import { describe, expect, it } from 'vitest';
import { itemsOfUser, updateItem } from '../support/table';
import { call } from '../support/api';
import { type GpodderAccount, gpodder, gpodderAccount, newCredential, sessionFrom } from '../support/gpodder';

/** The gpodder.net API v2 as clients meet it: the challenge, the session, the strict output rules and the lenient input. */

const auth = (a: GpodderAccount) => ({ basicAuth: { username: a.username, password: a.password } });
const gpodderItems = async (userId: string) => (await itemsOfUser(userId)).filter((item) => /^GP(SUB|EP|DEV)#/.test(String(item.SK)));
const feed = (name: string) => `https://feeds.example.org/${name}-${Math.random().toString(36).slice(2, 8)}.xml`;

describe('gpodder sign-in', () => {
  it('challenges a request without credentials with Basic realm="Playhead", then answers the password with a session cookie that is not Secure over http', async () => {
    const account = await gpodderAccount();
    const bare = await gpodder('POST', `/gpodder/api/2/auth/${account.username}/login.json`);
    expect(bare.status).toBe(401);
    expect(bare.headers.get('www-authenticate')).toBe('Basic realm="Playhead"');
    // AntennaPod: an empty body labelled plain/text.
    const login = await gpodder('POST', `/gpodder/api/2/auth/${account.username}/login.json`, { ...auth(account), rawBody: '', contentType: 'plain/text; charset=utf-8' });
    expect(login.status).toBe(200);
    expect(login.text).toBe('');
    const cookie = login.setCookies.find((c) => c.startsWith('sessionid=')) as string;
    expect(cookie).toMatch(/Path=\/gpodder/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).not.toMatch(/Secure/);
    // Later calls carry only the cookie.
    const devices = await gpodder('GET', `/gpodder/api/2/devices/${account.username}.json`, { cookie: sessionFrom(login) });
    expect(devices.status).toBe(200);
    expect(devices.json).toEqual([]);
  });

  it('refuses a wrong password, a forged or tampered cookie, and every session of a revoked credential, each with the challenge', async () => {
    const account = await gpodderAccount();
    const wrong = await gpodder('GET', `/gpodder/api/2/devices/${account.username}.json`, { basicAuth: { username: account.username, password: `${account.password}x` } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Basic realm="Playhead"');
    const session = sessionFrom(await gpodder('POST', `/gpodder/api/2/auth/${account.username}/login.json`, auth(account)));
    const [payload, mac] = session.slice('sessionid='.length).split('.') as [string, string];
    const other = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forgedPayload = Buffer.from(JSON.stringify({ ...other, u: 'someone-else' })).toString('base64url');
    for (const cookie of [`sessionid=${forgedPayload}.${mac}`, `sessionid=${payload}.${mac.slice(0, -2)}AA`, 'sessionid=garbage', `sessionid=${payload}`]) {
      const answer = await gpodder('GET', `/gpodder/api/2/devices/${account.username}.json`, { cookie });
      expect(answer.status, cookie).toBe(401);
      expect(answer.headers.get('www-authenticate')).toBe('Basic realm="Playhead"');
    }
    expect((await gpodder('GET', `/gpodder/api/2/devices/${account.username}.json`, { cookie: session })).status).toBe(200);
    expect((await call('DELETE', `/v1/gpodder/credentials/${account.credentialId}`, { token: account.token })).status).toBe(200);
    expect((await gpodder('GET', `/gpodder/api/2/devices/${account.username}.json`, { cookie: session })).status).toBe(401);
    expect((await gpodder('GET', `/gpodder/api/2/devices/${account.username}.json`, auth(account))).status).toBe(401);
  });

  it('answers 400 when the path names another username, so no path reaches another user’s data, and writes nothing', async () => {
    const alice = await gpodderAccount('alice');
    const bob = await gpodderAccount('bob');
    await gpodder('POST', `/gpodder/api/2/subscriptions/${bob.username}/phone.json`, { ...auth(bob), body: { add: [feed('bob')], remove: [] } });
    const paths: [string, string, unknown?][] = [
      ['GET', `/gpodder/api/2/subscriptions/${bob.username}/phone.json?since=0`],
      ['POST', `/gpodder/api/2/subscriptions/${bob.username}/phone.json`, { add: [feed('alice')], remove: [] }],
      ['GET', `/gpodder/subscriptions/${bob.username}.opml`],
      ['GET', `/gpodder/api/2/episodes/${bob.username}.json?since=0`],
      ['POST', `/gpodder/api/2/episodes/${bob.username}.json`, [{ podcast: feed('a'), episode: 'https://cdn.example.org/x.mp3', action: 'play' }]],
      ['POST', `/gpodder/api/2/devices/${bob.username}/laptop.json`, { caption: 'x' }],
      ['GET', `/gpodder/api/2/devices/${bob.username}.json`],
      ['POST', `/gpodder/api/2/auth/${bob.username}/login.json`],
    ];
    const before = await gpodderItems(bob.userId);
    for (const [method, path, body] of paths) {
      const answer = await gpodder(method, path, { ...auth(alice), body });
      expect(answer.status, `${method} ${path}`).toBe(400);
      expect((answer.json as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain('path.username');
    }
    expect(await gpodderItems(alice.userId)).toEqual([]);
    expect(await gpodderItems(bob.userId)).toEqual(before);
  });

  it('logout expires the cookie; the app password still signs in', async () => {
    const account = await gpodderAccount();
    const session = sessionFrom(await gpodder('POST', `/gpodder/api/2/auth/${account.username}/login.json`, auth(account)));
    const logout = await gpodder('POST', `/gpodder/api/2/auth/${account.username}/logout.json`, { cookie: session });
    expect(logout.status).toBe(200);
    expect(logout.setCookies.find((c) => c.startsWith('sessionid='))).toMatch(/Max-Age=0/);
    expect((await gpodder('POST', `/gpodder/api/2/auth/${account.username}/login.json`, auth(account))).status).toBe(200);
  });
});

describe('gpodder input', () => {
  it('takes JSON under any content type, ignores unknown fields and query parameters, and answers exactly 200', async () => {
    const account = await gpodderAccount();
    for (const contentType of ['application/x-www-form-urlencoded', 'plain/text', 'text/plain', 'application/octet-stream']) {
      const answer = await gpodder('POST', `/gpodder/api/2/devices/${account.username}/dev-1.json?jsonp=x`, { ...auth(account), contentType, body: { caption: contentType, type: 'laptop', extra: true } });
      expect(answer.status, contentType).toBe(200);
      expect(answer.text).toBe('');
    }
    const devices = await gpodder('GET', `/gpodder/api/2/devices/${account.username}.json`, auth(account));
    expect(devices.json).toEqual([{ id: 'dev-1', caption: 'application/octet-stream', type: 'laptop', subscriptions: 0 }]);
    // A type no client knows would break mygpoclient's parsing of the list: stored as other.
    await gpodder('POST', `/gpodder/api/2/devices/${account.username}/dev-1.json`, { ...auth(account), body: { type: 'smartwatch' } });
    expect(((await gpodder('GET', `/gpodder/api/2/devices/${account.username}.json`, auth(account))).json as { type: string }[])[0]?.type).toBe('other');
  });

  it('refuses malformed JSON, wrong types, a URL in both lists and bodies over 1 MiB with 4xx problems, writing nothing', async () => {
    const account = await gpodderAccount();
    const path = `/gpodder/api/2/subscriptions/${account.username}/dev.json`;
    const cases: [number, string | undefined, string][] = [
      [400, 'body', '{"add": ['],
      [400, 'body.add', '{"add": "https://feeds.example.org/a.xml"}'],
      [400, 'body.add.0', '{"add": [42]}'],
      [400, 'body.remove', JSON.stringify({ add: ['https://feeds.example.org/same.xml'], remove: ['https://feeds.example.org/same.xml'] })],
      [413, 'body', JSON.stringify({ add: [`https://feeds.example.org/${'x'.repeat(1024 * 1024)}.xml`] })],
    ];
    for (const [status, field, rawBody] of cases) {
      const answer = await gpodder('POST', path, { ...auth(account), rawBody });
      expect(answer.status, rawBody.slice(0, 60)).toBe(status);
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
      if (field) expect((answer.json as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain(field);
    }
    for (const rawBody of ['[{"podcast": ', '{"not": "a list"}']) {
      expect((await gpodder('POST', `/gpodder/api/2/episodes/${account.username}.json`, { ...auth(account), rawBody })).status).toBe(400);
    }
    expect((await gpodder('GET', `${path}?since=yesterday`, auth(account))).status).toBe(400);
    expect(await gpodderItems(account.userId)).toEqual([]);
  });

  it('takes a body just under 1 MiB (a first sync posts every subscription at once)', async () => {
    const account = await gpodderAccount();
    // Long private-feed URLs (tokens in the path): 1,500 of them make the body.
    const add = Array.from({ length: 1500 }, (_, i) => `https://feeds.example.org/big-${i}/${'t'.repeat(600)}.xml`);
    const body = JSON.stringify({ add });
    expect(body.length).toBeGreaterThan(700 * 1024);
    expect(body.length).toBeLessThan(1024 * 1024);
    const answer = await gpodder('POST', `/gpodder/api/2/subscriptions/${account.username}/dev.json`, { ...auth(account), rawBody: body });
    expect(answer.status).toBe(200);
    const all = await gpodder('GET', `/gpodder/subscriptions/${account.username}.json`, auth(account));
    expect((all.json as string[]).length).toBe(1500);
  }, 120_000);

  it('serves only the formats a route names: .json, and .opml or .txt on the simple API', async () => {
    const account = await gpodderAccount();
    expect((await gpodder('GET', `/gpodder/api/2/devices/${account.username}.xml`, auth(account))).status).toBe(404);
    expect((await gpodder('GET', `/gpodder/api/2/devices/${account.username}`, auth(account))).status).toBe(404);
    const url = feed('formats');
    await gpodder('PUT', `/gpodder/subscriptions/${account.username}/dev.txt`, { ...auth(account), rawBody: `${url}\n\n` });
    const opml = await gpodder('GET', `/gpodder/subscriptions/${account.username}.opml`, auth(account));
    expect(opml.headers.get('content-type')).toMatch(/^text\/x-opml/);
    expect(opml.text).toContain(`xmlUrl="${url}"`);
    expect((await gpodder('GET', `/gpodder/subscriptions/${account.username}/dev.txt`, auth(account))).text).toBe(`${url}\n`);
    expect((await gpodder('GET', `/gpodder/subscriptions/${account.username}/dev.json`, auth(account))).json).toEqual([url]);
  });
});

describe('gpodder subscriptions', () => {
  it('sanitizes URLs as gpodder does, reports every rewrite, and counts spellings of one feed once', async () => {
    const account = await gpodderAccount();
    const path = `/gpodder/api/2/subscriptions/${account.username}/dev.json`;
    const base = feed('sanitize').replace('https://', '');
    const answer = await gpodder('POST', path, {
      ...auth(account),
      body: { add: [`  https://FEEDS.example.org${base.slice('feeds.example.org'.length)}  `, `feed://${base}`, 'itpc://pods.example.org/x?token=a:b', 'notaurl', 'ftp://files.example.org/feed.xml'], remove: [] },
    });
    expect(answer.status).toBe(200);
    const { update_urls: rewrites, timestamp } = answer.json as { update_urls: [string, string][]; timestamp: number };
    expect(rewrites).toEqual([
      [`  https://FEEDS.example.org${base.slice('feeds.example.org'.length)}  `, `https://${base}`],
      [`feed://${base}`, `http://${base}`],
      ['itpc://pods.example.org/x?token=a:b', 'http://pods.example.org/x?token=a:b'],
      ['notaurl', ''],
      ['ftp://files.example.org/feed.xml', ''],
    ]);
    expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(120);
    const all = await gpodder('GET', `${path}?since=0`, auth(account));
    expect((all.json as { add: string[] }).add.sort()).toEqual([`https://${base}`, 'http://pods.example.org/x?token=a:b'].sort());
  });

  it('a `since` read starts a minute early and is never taken past the timestamp this app password last read', async () => {
    const account = await gpodderAccount();
    const second = await newCredential(account.token);
    const path = `/gpodder/api/2/subscriptions/${account.username}/laptop.json`;
    const first = (await gpodder('GET', `${path}?since=0`, auth(account))).json as { timestamp: number };
    const url = feed('clamp');
    // Another app of the user's adds a feed after this app's read.
    await gpodder('POST', `/gpodder/api/2/subscriptions/${second.username}/phone.json`, { basicAuth: second, body: { add: [url] } });
    // This app claims a `since` far ahead of what it was given (its own clock): it still gets the change.
    const ahead = (await gpodder('GET', `${path}?since=${first.timestamp + 3600}`, auth(account))).json as { add: string[]; timestamp: number };
    expect(ahead.add).toContain(url);
    expect(ahead.timestamp).toBeLessThan(2 ** 31);
    // Kasts' `timestamp + 1`, and the same second again: the overlap re-sends, never loses.
    const again = (await gpodder('GET', `${path}?since=${ahead.timestamp + 1}`, auth(account))).json as { add: string[] };
    expect(again.add).toContain(url);
  });
});

describe('gpodder episode reads', () => {
  it('a `since` read returns exactly the episodes Playhead recorded a change of in its window, by key for a few and by one query for many', async () => {
    const account = await gpodderAccount('window');
    const feedUrl = feed('window');
    const actions = Array.from({ length: 70 }, (_, i) => ({ podcast: feedUrl, episode: `https://cdn.example.org/window-${i}.mp3`, action: 'download', timestamp: '2026-01-01T10:00:00' }));
    expect((await gpodder('POST', `/gpodder/api/2/episodes/${account.username}.json`, { ...auth(account), body: actions })).status).toBe(200);
    const states = (await itemsOfUser(account.userId)).filter((item) => String(item.SK).startsWith('GPEP#'));
    expect(states).toHaveLength(70);
    // Recorded two hours ago, as if uploaded then: all but the given number of states.
    const age = async (keep: number) => {
      const old = Date.now() - 2 * 3_600_000;
      for (const item of states.slice(keep)) {
        const key = String(item.SK).slice('GPEP#'.length);
        await updateItem({ PK: item.PK, SK: item.SK }, { changedAt: old, LSI1SK: `GPEP#${String(old).padStart(15, '0')}#${key}` });
      }
    };
    const since = Math.floor(Date.now() / 1000) - 600;
    const read = async () =>
      ((await gpodder('GET', `/gpodder/api/2/episodes/${account.username}.json?since=${since}`, auth(account))).json as { actions: { episode: string }[] }).actions.length;
    expect(await read()).toBe(70);
    await age(67);
    expect(await read()).toBe(67);
    await age(5);
    expect(await read()).toBe(5);
    expect((await gpodder('GET', `/gpodder/api/2/episodes/${account.username}.json?since=0`, auth(account))).json).toMatchObject({ actions: expect.arrayContaining([expect.objectContaining({ action: 'download' })]) });
  });
});

describe('gpodder apps without a headless runtime, replayed from their source', () => {
  it('AntennaPod (gpodder.net mode): Basic only on login.json, the cookie after; a first sync posts every feed; the POST timestamp as its next since still brings what another app did in between', async () => {
    const account = await gpodderAccount('antennapod');
    const kasts = await newCredential(account.token);
    const base = `/gpodder/api/2`;
    const login = await gpodder('POST', `${base}/auth/${account.username}/login.json`, { ...auth(account), rawBody: '', contentType: 'plain/text; charset=utf-8' });
    const cookie = sessionFrom(login);
    expect((await gpodder('GET', `${base}/devices/${account.username}.json`, { cookie })).status).toBe(200);
    expect((await gpodder('POST', `${base}/devices/${account.username}/antennapod-1.json`, { cookie, body: { caption: 'Phone', type: 'mobile' }, contentType: 'application/json' })).status).toBe(200);
    const first = (await gpodder('GET', `${base}/subscriptions/${account.username}/antennapod-1.json?since=0`, { cookie })).json as { timestamp: number };
    const feeds = Array.from({ length: 400 }, (_, i) => feed(`antennapod-first-sync-${i}`));
    expect(JSON.stringify({ add: feeds }).length).toBeGreaterThan(16 * 1024);
    const posted = (await gpodder('POST', `${base}/subscriptions/${account.username}/antennapod-1.json`, { cookie, body: { add: feeds, remove: [] }, contentType: 'application/json' })).json as { timestamp: number; update_urls: unknown[] };
    expect(posted.update_urls).toEqual([]);
    expect(posted.timestamp).toBe(first.timestamp);
    const episodesRead = (await gpodder('GET', `${base}/episodes/${account.username}.json?since=0`, { cookie })).json as { timestamp: number };
    // Another app of the user's (Kasts, Basic on every call) adds a feed between AntennaPod's read and its upload.
    const between = feed('between');
    await gpodder('POST', `${base}/subscriptions/${kasts.username}/kasts.json`, { basicAuth: kasts, body: { add: [between] } });
    const actions = Array.from({ length: 30 }, (_, i) => ({ podcast: feeds[0], episode: `https://cdn.example.org/ap-${i}.mp3`, guid: `ap-guid-${i}`, device: 'antennapod-1', action: 'PLAY', timestamp: '2026-02-01T08:00:00', started: 0, position: 60 + i, total: 1800 }));
    const uploaded = (await gpodder('POST', `${base}/episodes/${account.username}.json`, { cookie, body: actions, contentType: 'application/json' })).json as { timestamp: number; update_urls: unknown[] };
    expect(uploaded.update_urls).toEqual([]);
    expect(uploaded.timestamp).toBe(episodesRead.timestamp);
    const next = (await gpodder('GET', `${base}/subscriptions/${account.username}/antennapod-1.json?since=${posted.timestamp}`, { cookie })).json as { add: string[] };
    expect(next.add).toContain(between);
    const played = (await gpodder('GET', `${base}/episodes/${account.username}.json?since=${uploaded.timestamp}`, { cookie })).json as { actions: { guid: string; device: string; action: string; position: number }[] };
    expect(played.actions).toHaveLength(30);
    expect(played.actions.every((a) => a.action === 'play' && a.device === 'antennapod-1' && a.guid.startsWith('ap-guid-'))).toBe(true);
  }, 60_000);

  it('Kasts: Basic on every call, since = timestamp + 1, aggregated on the first read, 32-bit timestamps, sync-devices', async () => {
    const account = await gpodderAccount('kasts');
    const base = `/gpodder/api/2`;
    const url = feed('kasts');
    await gpodder('POST', `${base}/subscriptions/${account.username}/kasts.json`, { ...auth(account), body: { add: [url] } });
    const first = (await gpodder('GET', `${base}/episodes/${account.username}.json?since=0&aggregated=true`, auth(account))).json as { timestamp: number };
    expect(first.timestamp).toBeLessThan(2 ** 31);
    await gpodder('POST', `${base}/episodes/${account.username}.json`, { ...auth(account), body: [{ podcast: url, episode: 'https://cdn.example.org/k1.mp3', action: 'play', position: 10, started: 0, total: 100, timestamp: new Date().toISOString().slice(0, 19) }] });
    const next = (await gpodder('GET', `${base}/episodes/${account.username}.json?since=${first.timestamp + 1}&aggregated=false`, auth(account))).json as { actions: unknown[] };
    expect(next.actions).toHaveLength(1);
    expect((await gpodder('GET', `${base}/sync-devices/${account.username}.json`, auth(account))).json).toEqual({ synchronized: [], 'not-synchronized': ['kasts'] });
    await gpodder('POST', `${base}/devices/${account.username}/laptop.json`, { ...auth(account), body: { caption: 'Laptop', type: 'laptop' } });
    const linked = await gpodder('POST', `${base}/sync-devices/${account.username}.json`, { ...auth(account), body: { synchronize: [['kasts', 'laptop']], 'stop-synchronize': [] } });
    expect(linked.json).toEqual({ synchronized: [['kasts', 'laptop']], 'not-synchronized': [] });
  });
});
