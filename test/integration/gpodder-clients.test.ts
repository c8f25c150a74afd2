import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { endpoints } from '../support/api';
import { gpodderAccount } from '../support/gpodder';

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

describe.skipIf(!haveMygpoclient)('mygpoclient (python3-mygpoclient) against the gpodder surface', () => {
  it('devices, subscription changes with URL rewrites, a second device, the simple API, episode actions with a late upload, and a wrong password', async () => {
    const account = await gpodderAccount('mygpo');
    const id = unique();
    const feeds = [`https://feeds.example.org/${id}-a.xml`, `https://feeds.example.org/${id}-b.xml`];
    const episodes = [`https://cdn.example.org/${id}-a1.mp3`, `https://cdn.example.org/${id}-a2.mp3`];
    const args = (phase: string, ...rest: string[]) => [account.username, account.password, ...feeds, ...episodes, phase, ...rest];

    const subscriptions = run('gpodder_mygpoclient.py', args('subscriptions'));
    expect(subscriptions.map((s) => s.step)).toContain('auth.wrong-password');
    const episodeSteps = run('gpodder_mygpoclient.py', args('episodes'));
    expect(stepNamed(episodeSteps, 'episodes.no-regression').positions).toContain(120);
  }, 120_000);
});

describe.skipIf(!haveGpodder)("gPodder's own sync engine (gpodder.my.MygPoClient), headless", () => {
  it('two flushes on one engine: device, subscription, a play and a download up; its play parsed back; sync still enabled', async () => {
    const account = await gpodderAccount('engine');
    const id = unique();
    const feed = `https://feeds.example.org/${id}-engine.xml`;
    const episode = `https://cdn.example.org/${id}-engine-1.mp3`;
    const steps = run('gpodder_engine.py', [account.username, account.password, feed, episode]);
    expect(stepNamed(steps, 'round2.still-enabled').ok).toBe(true);
  }, 120_000);

  it('a wrong password: gPodder disables sync, as it does on gpodder.net', async () => {
    const account = await gpodderAccount('engine-wrong');
    const result = spawnSync(PYTHON, [interop('gpodder_engine.py'), `${endpoints.api}/gpodder`, account.username, `${account.password}x`, 'https://feeds.example.org/w.xml', 'https://cdn.example.org/w.mp3'], { encoding: 'utf8', timeout: 60_000 });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('"step": "round1.still-enabled", "ok": false');
  }, 120_000);
});
