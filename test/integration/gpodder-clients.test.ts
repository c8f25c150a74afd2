import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { call, endpoints } from '../support/api';
import { gpodderAccount } from '../support/gpodder';
import { episodeBody, publisher } from '../support/podcasts';

/**
 * Real gpodder clients, as Debian ships them, against the local stack: mygpoclient's
 * MygPodderClient and gPodder's own sync engine, run with the system's /usr/bin/python3 (a
 * pyenv python3 on the PATH cannot see Debian's packages). `.ci/run` installs them.
 */
const PYTHON = '/usr/bin/python3';
const interop = (name: string) => path.join(import.meta.dirname, '..', 'interop', name);
const hasModule = (module: string) => existsSync(PYTHON) && spawnSync(PYTHON, ['-c', `import ${module}`]).status === 0;
const haveMygpoclient = hasModule('mygpoclient');
const haveGpodder = hasModule('gpodder');
if (!haveMygpoclient || !haveGpodder) console.warn('gpodder interop: install python3-mygpoclient and gpodder with apt-get (.ci/run does) to run these tests');

interface Step {
  step: string;
  ok: boolean;
  [field: string]: unknown;
}

function run(script: string, args: string[]): Step[] {
  const result = spawnSync(PYTHON, [interop(script), `${endpoints.api}/gpodder`, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
  const steps = result.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Step);
  const failed = steps.find((s) => !s.ok);
  expect(failed, `${script}: ${result.stdout}\n${result.stderr}`).toBeUndefined();
  expect(result.status, `${script}: ${result.stdout}\n${result.stderr}`).toBe(0);
  return steps;
}

const stepNamed = (steps: Step[], name: string): Step => {
  const found = steps.find((s) => s.step === name);
  expect(found, name).toBeDefined();
  return found as Step;
};

const unique = () => Math.random().toString(36).slice(2, 10);

/** A catalog show with this feed URL and one episode per enclosure URL (of these durations). */
async function catalogShow(feedUrl: string, episodes: [string, number][]): Promise<{ showId: string; episodeIds: string[] }> {
  const token = await publisher();
  const showId = randomUUID();
  expect((await call('PUT', `/v1/catalog/shows/${showId}`, { token, body: { title: 'Interop', feedUrl } })).status).toBe(200);
  const episodeIds: string[] = [];
  for (const [audioUrl, durationSeconds] of episodes) {
    const episodeId = randomUUID();
    const body = { ...episodeBody(episodeId, { durationSeconds, publishedAt: new Date(Date.now() - 3_600_000).toISOString() }), audioUrl };
    expect((await call('PUT', `/v1/catalog/shows/${showId}/episodes/${episodeId}`, { token, body })).status).toBe(200);
    episodeIds.push(episodeId);
  }
  return { showId, episodeIds };
}

describe.skipIf(!haveMygpoclient)('mygpoclient (python3-mygpoclient) against the gpodder surface', () => {
  it('devices, subscription changes with URL rewrites, a second device, the simple API, episode actions with a late upload, a wrong password; and both directions through the REST API', async () => {
    const account = await gpodderAccount('mygpo');
    const id = unique();
    const feeds = [`https://feeds.example.org/${id}-a.xml`, `https://feeds.example.org/${id}-b.xml`];
    const episodes = [`https://cdn.example.org/${id}-a1.mp3`, `https://cdn.example.org/${id}-a2.mp3`];
    const args = (phase: string, ...rest: string[]) => [account.username, account.password, ...feeds, ...episodes, phase, ...rest];
    // Feed A is a catalog show's; feed B is not.
    const { showId, episodeIds } = await catalogShow(feeds[0] as string, [
      [episodes[0] as string, 3600],
      [episodes[1] as string, 1800],
    ]);
    const [a1, a2] = episodeIds as [string, string];
    const favourites = async () => ((await call('GET', '/v1/favourites', { token: account.token })).json as { show: string }[]).map((f) => f.show);
    const queue = async () =>
      ((await call('GET', '/v1/queue?states=queued,playing,finished', { token: account.token })).json as { episodeId: string; state: string; playbackSeconds?: number }[]).map(
        ({ episodeId, state, playbackSeconds }) => ({ episodeId, state, playbackSeconds }),
      );

    const subscriptions = run('gpodder_mygpoclient.py', args('subscriptions'));
    expect(subscriptions.map((s) => s.step)).toContain('auth.wrong-password');
    // Feed A followed its show; B, removed again, never was one; the simple API's put kept A.
    expect(await favourites()).toEqual([showId]);

    const episodeSteps = run('gpodder_mygpoclient.py', args('episodes'));
    expect(stepNamed(episodeSteps, 'episodes.no-regression').positions).toContain(120);
    // The play of A1 at 120 s stands (the older one at 10 s lost); the late play of A2 at 30 s queued it; the download alone queued nothing.
    expect((await queue()).sort((x, y) => x.episodeId.localeCompare(y.episodeId))).toEqual(
      [
        { episodeId: a1, state: 'playing', playbackSeconds: 120 },
        { episodeId: a2, state: 'playing', playbackSeconds: 30 },
      ].sort((x, y) => x.episodeId.localeCompare(y.episodeId)),
    );

    // Playhead → gpodder: an unfollow and a finished episode, seen by mygpoclient's next pull.
    const since = Number(stepNamed(episodeSteps, 'episodes.since').since);
    expect((await call('DELETE', `/v1/favourites/${showId}`, { token: account.token })).status).toBe(200);
    expect((await call('PATCH', `/v1/queue/${a1}`, { token: account.token, body: { state: 'finished' } })).status).toBe(200);
    const pulled = stepNamed(run('gpodder_mygpoclient.py', args('pull', String(since))), 'pull') as Step & { remove: string[]; actions: { episode: string; action: string; position: number; total: number }[] };
    expect(pulled.remove).toContain(feeds[0]);
    expect(pulled.actions).toContainEqual({ episode: episodes[0], action: 'play', position: 3600, total: 3600 });
  }, 120_000);
});

describe.skipIf(!haveGpodder)("gPodder's own sync engine (gpodder.my.MygPoClient), headless", () => {
  it('two flushes on one engine: device, subscription, a play and a download up; its play parsed back; sync still enabled', async () => {
    const account = await gpodderAccount('engine');
    const id = unique();
    const feed = `https://feeds.example.org/${id}-engine.xml`;
    const episode = `https://cdn.example.org/${id}-engine-1.mp3`;
    const { showId, episodeIds } = await catalogShow(feed, [[episode, 1800]]);
    const steps = run('gpodder_engine.py', [account.username, account.password, feed, episode]);
    expect(stepNamed(steps, 'round2.still-enabled').ok).toBe(true);
    expect(((await call('GET', '/v1/favourites', { token: account.token })).json as { show: string }[]).map((f) => f.show)).toEqual([showId]);
    const [entry] = (await call('GET', '/v1/queue', { token: account.token })).json as { episodeId: string; state: string; playbackSeconds?: number }[];
    expect(entry).toMatchObject({ episodeId: episodeIds[0], state: 'playing', playbackSeconds: 95 });
  }, 120_000);

  it('a wrong password: gPodder disables sync, as it does on gpodder.net', async () => {
    const account = await gpodderAccount('engine-wrong');
    const result = spawnSync(PYTHON, [interop('gpodder_engine.py'), `${endpoints.api}/gpodder`, account.username, `${account.password}x`, 'https://feeds.example.org/w.xml', 'https://cdn.example.org/w.mp3'], { encoding: 'utf8', timeout: 60_000 });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('"step": "round1.still-enabled", "ok": false');
  }, 120_000);
});
