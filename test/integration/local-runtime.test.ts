import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { loadOrCreateSigningKey, mintToken } from '../../local/local-auth';
import { repoRoot, stateFiles } from '../../local/paths';
import { endpoints } from '../support/api';
import { spawnStack } from '../support/spawn-stack';

const tempDirs: string[] = [];
const tempDir = (label: string) => {
  const dir = mkdtempSync(path.join(tmpdir(), `playhead-${label}-`));
  tempDirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

const tsx = (script: string, args: string[], env: NodeJS.ProcessEnv) =>
  spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd: repoRoot, env, encoding: 'utf8', timeout: 30_000 });

describe('the laptop runtime', () => {
  it('writes endpoints.json with the api, engines, region, table, bucket and queues', () => {
    expect(endpoints).toMatchObject({
      api: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      dynamodb: expect.stringMatching(/^http:/),
      sqs: expect.stringMatching(/^http:/),
      s3: expect.stringMatching(/^http:/),
      region: expect.any(String),
      tableName: expect.any(String),
      bucketName: expect.any(String),
    });
    expect(Object.keys(endpoints.queues)).toEqual(expect.arrayContaining(['analytics', 'analytics-dlq']));
  });

  it('stops at once with one clear line when java is missing', () => {
    const bin = tempDir('nojava');
    symlinkSync(process.execPath, path.join(bin, 'node'));
    const result = tsx('bin/start.ts', [], { PATH: bin, HOME: process.env.HOME, PLAYHEAD_STATE_DIR: tempDir('state') });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n').filter((l) => l.trim() !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/Java runtime.*apt-get install default-jre-headless/);
  });

  it('prints nothing but a JWT from the token CLI, with the asked scope, country and lifetime', () => {
    const stateDir = tempDir('token');
    const result = tsx('bin/token.ts', ['alice', '--scope', 'catalog:write', '--country', 'us', '--ttl', '15m'], { ...process.env, PLAYHEAD_STATE_DIR: stateDir });
    expect(result.status).toBe(0);
    const token = result.stdout.trim();
    expect(result.stdout).toBe(`${token}\n`);
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ sub: 'alice', scope: 'catalog:write', country: 'US' });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(900);
  });

  it('keeps data across a restart, and the tail CLI prints analytics events as JSON lines', async () => {
    const stateDir = tempDir('restart');
    const key = await loadOrCreateSigningKey(stateFiles(stateDir).signingKey);
    const token = await mintToken(key, { userId: 'restart-user', scopes: ['catalog:write'] });
    const assetId = '6f1b7a5e-51b1-4e5e-9a52-3c0a0c1d2e3f';
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

    const first = await spawnStack(stateDir);
    expect((await fetch(`${first.endpoints.api}/v1/catalog/assets/${assetId}`, { method: 'PUT', headers, body: '{"title":"Kept"}' })).status).toBe(200);
    expect((await fetch(`${first.endpoints.api}/v1/watchlist/${assetId}`, { method: 'PUT', headers })).status).toBe(200);
    const tail = spawnSync(process.execPath, ['--import', 'tsx', 'bin/tail.ts', 'analytics'], {
      cwd: repoRoot,
      env: { ...process.env, PLAYHEAD_STATE_DIR: stateDir },
      encoding: 'utf8',
      timeout: 6000,
      killSignal: 'SIGINT',
    });
    const lines = tail.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { event: string; assetId: string });
    expect(lines).toEqual([expect.objectContaining({ event: 'added-to-watchlist', assetId })]);
    expect(await first.stop()).toBe(0);

    const second = await spawnStack(stateDir);
    try {
      const list = await fetch(`${second.endpoints.api}/v1/watchlist`, { headers });
      expect(await list.json()).toEqual([expect.objectContaining({ asset: assetId })]);
    } finally {
      await second.stop();
    }
    // No Java process of this state directory outlives the stack.
    const java = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(stateDir) && l.includes('java'));
    expect(java).toEqual([]);
  }, 120_000); // two stack starts and stops, several seconds each on a busy machine
});
