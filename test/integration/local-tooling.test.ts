import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { queueDefinitions } from '../../lib/queue-definitions';
import { repoRoot, stateFiles } from '../../local/paths';
import type { Endpoints } from '../../local/stack';
import { call, newUserId, tokenFor } from '../support/api';

const tempDirs: string[] = [];
const tempDir = (label: string) => {
  const dir = mkdtempSync(path.join(tmpdir(), `playhead-${label}-`));
  tempDirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** The environment a person's shell gives the project's commands: nothing that silences the SDK. */
const shellEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => {
  const env = { ...process.env, ...extra };
  delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
  return env;
};

const tsx = (script: string, args: string[], env: NodeJS.ProcessEnv, timeout = 30_000) =>
  spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd: repoRoot, env, encoding: 'utf8', timeout, killSignal: 'SIGINT' });

describe('the first hour with the local tools', () => {
  it('ends every JSON answer, success or problem, with a newline', async () => {
    const health = await call('GET', '/v1/health');
    expect(health.text).toBe('{"status":"ok"}\n');
    const problem = await call('GET', '/v1/watchlist');
    expect(problem.status).toBe(401);
    expect(problem.text.endsWith('}\n')).toBe(true);
  });

  it('says locally when an expired token expired, and how to get another', async () => {
    const token = await tokenFor(newUserId('expired'), { ttl: -90 });
    const response = await call('GET', '/v1/watchlist', { token });
    expect(response.status).toBe(401);
    const { detail } = response.json as { detail: string };
    expect(detail).toMatch(/^The bearer token expired at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z \(9\d s ago\); make a new one with npm run -s token -- expired-/);
    // A token that is not ours at all still gets the one answer for every refused token.
    const forged = await call('GET', '/v1/watchlist', { token: `${token.slice(0, -4)}AAAA` });
    expect((forged.json as { detail: string }).detail).toBe('The bearer token is missing, expired or not valid for this API.');
  });

  it('token --help prints the usage with the default lifetime, and exits 0', () => {
    const result = tsx('bin/token.ts', ['--help'], shellEnv({ PLAYHEAD_STATE_DIR: tempDir('token-help') }));
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^usage: npm run -s token -- <userId>/);
    expect(result.stdout).toContain('default 1h');
    expect(result.stderr).toBe('');
  });

  it('tail --list names every queue and what it carries, quietly', () => {
    const result = tsx('bin/tail.ts', ['--list'], shellEnv({ PLAYHEAD_STATE_DIR: inject('stateDir') }));
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    const rows = new Map(result.stdout.trim().split('\n').map((line) => [line.split(/\s+/)[0], line] as const));
    for (const queue of queueDefinitions) {
      expect(rows.get(queue.name)).toContain(queue.description);
      expect(rows.get(`${queue.name}-dlq`)).toBeDefined();
    }
    expect(rows.get('pushes')).toBeDefined();
    expect([...rows.keys()].some((name) => name?.endsWith('-observed'))).toBe(false);
  });

  it('a taken port names the variable to set', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const result = tsx('bin/start.ts', [], shellEnv({ PORT: String(port), DYNAMODB_PORT: '0', MESSAGING_PORT: '0', PLAYHEAD_STATE_DIR: tempDir('port') }));
      expect(result.status).toBe(1);
      expect(result.stderr.trim()).toBe(`Port ${port} is in use (PORT): stop what holds it, or start with another, as PORT=${port + 1} npm start (0 picks any free port).`);
    } finally {
      holder.close();
    }
  });
});

describe('a stack of its own: tail --keep, and a quiet start and Ctrl-C', () => {
  it('prints no SDK notice; tail --keep leaves messages, tail deletes them; Ctrl-C to the terminal stops everything without errors', async () => {
    const stateDir = tempDir('tooling');
    // Its own process group, as a terminal runs a command: Ctrl-C there signals the whole group.
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'bin/start.ts'], {
      cwd: repoRoot,
      env: shellEnv({ PORT: '0', DYNAMODB_PORT: '0', MESSAGING_PORT: '0', PLAYHEAD_STATE_DIR: stateDir, POWERTOOLS_LOG_LEVEL: 'WARN' }),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const file = stateFiles(stateDir).endpoints;
      const deadline = Date.now() + 60_000;
      while (!existsSync(file)) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`stack did not start:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const own = JSON.parse(readFileSync(file, 'utf8')) as Endpoints;
      // The banner follows the endpoints file, and a pipe delivers it when it will.
      const banner = `docs:       ${own.api}/docs/`;
      for (const until = Date.now() + 10_000; !output.includes(banner) && Date.now() < until; ) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(output).toContain(banner);

      const sqs = new SQSClient({ endpoint: own.sqs, region: own.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, useQueueUrlAsEndpoint: false });
      for (const n of [1, 2]) await sqs.send(new SendMessageCommand({ QueueUrl: own.queues.analytics, MessageBody: JSON.stringify({ event: 'probe', n }) }));
      sqs.destroy();
      const tail = (...args: string[]) => {
        const result = tsx('bin/tail.ts', ['analytics', ...args], shellEnv({ PLAYHEAD_STATE_DIR: stateDir }), 4000);
        expect(result.stderr).toBe('');
        return result.stdout.trim().split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { n: number }).n).sort();
      };
      expect(tail('--keep')).toEqual([1, 2]);
      expect(tail('--keep')).toEqual([1, 2]);
      expect(tail()).toEqual([1, 2]);
      expect(tail()).toEqual([]);
    } finally {
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGINT');
    }
    const timer = setTimeout(() => child.pid !== undefined && process.kill(-child.pid, 'SIGKILL'), 20_000);
    const code = await exited;
    clearTimeout(timer);
    expect(code).toBe(0);
    expect(output).not.toMatch(/NodeVersionSupportWarning|stream poll failed|ECONNREFUSED|queue receive failed/);
  }, 120_000);
});
