import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { userPartitionKey } from '../../lambdas/shared/keys';
import { loadOrCreateSigningKey, mintToken } from '../../local/local-auth';
import { repoRoot, stateFiles } from '../../local/paths';
import type { Endpoints } from '../../local/stack';
import { CRASH_BEFORE_RENAME_ENV } from '../../local/state-file';
import { spawnStack } from '../support/spawn-stack';
import { waitFor } from '../support/wait';

const tempDirs: string[] = [];
const tempDir = (label: string) => {
  const dir = mkdtempSync(path.join(tmpdir(), `playhead-${label}-`));
  tempDirs.push(dir);
  return dir;
};

/**
 * A stack killed with SIGKILL cannot stop its DynamoDB Local, as `kill -9` of `npm start`
 * cannot: end the Java processes of this test's state directories, by process id.
 */
function killOrphanedJava(stateDir: string): void {
  const lines = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).split('\n');
  for (const line of lines) {
    const [pid, ...args] = line.trim().split(/\s+/);
    if (pid && args.join(' ').includes(stateDir) && args.join(' ').includes('java')) process.kill(Number(pid), 'SIGKILL');
  }
}
afterAll(() => {
  for (const dir of tempDirs) {
    killOrphanedJava(dir);
    rmSync(dir, { recursive: true, force: true });
  }
});

const ASSET_A = '0d3c5a1e-7b2f-4c6d-8e9a-1b2c3d4e5f60';
/** Three stack starts and two clean stops, each several seconds on a busy machine. */
const RESTARTS_MS = 120_000;

async function feedOf(endpoints: Endpoints, userId: string): Promise<Record<string, unknown>[]> {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: endpoints.dynamodb, region: endpoints.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  try {
    const out = await client.send(
      new QueryCommand({
        TableName: endpoints.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :feed)',
        ExpressionAttributeValues: { ':pk': userPartitionKey(userId), ':feed': 'FEED#' },
        ConsistentRead: true,
      }),
    );
    return out.Items ?? [];
  } finally {
    client.destroy();
  }
}

/** A first run that puts one change in the user's feed and a checkpoint on disk, then stops cleanly. */
async function firstRun(stateDir: string, userId: string) {
  const files = stateFiles(stateDir);
  const token = await mintToken(await loadOrCreateSigningKey(files.signingKey), { userId, scopes: ['catalog:write'] });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const stack = await spawnStack(stateDir);
  expect((await fetch(`${stack.endpoints.api}/v1/catalog/assets/${ASSET_A}`, { method: 'PUT', headers, body: '{"title":"Kept","durationSeconds":100}' })).status).toBe(200);
  expect((await fetch(`${stack.endpoints.api}/v1/watchlist/${ASSET_A}`, { method: 'PUT', headers })).status).toBe(200);
  expect(await waitFor(() => feedOf(stack.endpoints, userId), (feed) => feed.length === 1)).toHaveLength(1);
  // The checkpoint is saved once the batch is handled, just after the feed entry is written.
  await waitFor(async () => existsSync(files.streamCheckpoints) && readFileSync(files.streamCheckpoints, 'utf8').includes('"'), Boolean);
  expect(await stack.stop()).toBe(0);
  return { headers, checkpoints: readFileSync(files.streamCheckpoints, 'utf8') };
}

const tsx = (script: string, args: string[], env: NodeJS.ProcessEnv) =>
  spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd: repoRoot, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });

describe('a start after a crash', () => {
  it('finds the old checkpoints intact when the stack died between writing the new ones and putting them in place, and numbers the change once', async () => {
    const stateDir = tempDir('crash');
    const files = stateFiles(stateDir);
    const userId = `crash-${Date.now()}`;
    const { headers, checkpoints } = await firstRun(stateDir, userId);

    const crashing = await spawnStack(stateDir, { [CRASH_BEFORE_RENAME_ENV]: path.basename(files.streamCheckpoints) });
    expect((await fetch(`${crashing.endpoints.api}/v1/progress/${ASSET_A}`, { method: 'PUT', headers, body: '{"progress":42}' })).status).toBe(200);
    expect(await crashing.exited).toBeNull(); // SIGKILL, from the fault hook
    expect(readFileSync(files.streamCheckpoints, 'utf8')).toBe(checkpoints);
    // The new checkpoints were written in full beside it, and never renamed over it.
    expect(readdirSync(stateDir).filter((name) => name.startsWith('.stream-checkpoints.json.'))).toHaveLength(1);
    killOrphanedJava(stateDir);

    const second = await spawnStack(stateDir);
    try {
      const feed = await waitFor(() => feedOf(second.endpoints, userId), (f) => f.length >= 2);
      expect(feed.map((entry) => entry.type)).toEqual(['watchlist', 'progress']);
      const progress = await fetch(`${second.endpoints.api}/v1/progress/${ASSET_A}`, { headers });
      expect(await progress.json()).toMatchObject({ progress: 42 });
      await waitFor(async () => readFileSync(files.streamCheckpoints, 'utf8') !== checkpoints, Boolean);
      expect(JSON.parse(readFileSync(files.streamCheckpoints, 'utf8'))).toBeTypeOf('object');
    } finally {
      expect(await second.stop()).toBe(0);
    }
  }, RESTARTS_MS);

  it('starts when a crash left the checkpoints file cut short, says so in one line naming the file, and numbers nothing twice', async () => {
    const stateDir = tempDir('truncated');
    const files = stateFiles(stateDir);
    const userId = `truncated-${Date.now()}`;
    const { headers, checkpoints } = await firstRun(stateDir, userId);
    // What an in-place write killed halfway leaves behind.
    writeFileSync(files.streamCheckpoints, checkpoints.slice(0, Math.floor(checkpoints.length / 2)));

    const second = await spawnStack(stateDir);
    try {
      const notes = second.output().split('\n').filter((line) => line.includes(files.streamCheckpoints));
      expect(notes).toHaveLength(1);
      expect(notes[0]).toMatch(/damaged.*TRIM_HORIZON/);
      expect((await fetch(`${second.endpoints.api}/v1/progress/${ASSET_A}`, { method: 'PUT', headers, body: '{"progress":7}' })).status).toBe(200);
      // The stream is read again from its start: the watchlist change is recognised, not numbered again.
      const feed = await waitFor(() => feedOf(second.endpoints, userId), (f) => f.length >= 2);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await feedOf(second.endpoints, userId)).map((entry) => entry.type)).toEqual(['watchlist', 'progress']);
      expect(feed).toHaveLength(2);
    } finally {
      expect(await second.stop()).toBe(0);
    }
  }, RESTARTS_MS);

  it('makes a new signing key when a crash stopped the first one before it was in place', () => {
    const stateDir = tempDir('first-key');
    const files = stateFiles(stateDir);
    const crashed = tsx('bin/token.ts', ['alice'], { PLAYHEAD_STATE_DIR: stateDir, [CRASH_BEFORE_RENAME_ENV]: path.basename(files.signingKey) });
    expect(crashed.signal).toBe('SIGKILL');
    expect(existsSync(files.signingKey)).toBe(false);
    const minted = tsx('bin/token.ts', ['alice'], { PLAYHEAD_STATE_DIR: stateDir });
    expect(minted.status).toBe(0);
    expect(minted.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    expect(JSON.parse(readFileSync(files.signingKey, 'utf8'))).toHaveProperty('publicJwk.kty', 'EC');
  });

  const damaged: [string, (files: ReturnType<typeof stateFiles>) => string, string, RegExp][] = [
    ['a signing key cut short', (f) => f.signingKey, '{"privateJwk":{"kty":"EC","crv":"P-2', /tokens signed with the old key stop verifying/],
    ['a signing key that is not a key', (f) => f.signingKey, '{"privateJwk":{},"publicJwk":{}}', /tokens signed with the old key stop verifying/],
    ['an empty feed cursor secret', (f) => f.feedCursorSecret, '', /cursors .* stop verifying/],
    ['a feed cursor secret cut short', (f) => f.feedCursorSecret, 'q3VzLm', /cursors .* stop verifying/],
  ];
  it.each(damaged)('stops with one line naming %s and what deleting it costs', (_, fileOf, content, cost) => {
    const stateDir = tempDir('damaged');
    const file = fileOf(stateFiles(stateDir));
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(file, content);
    const result = tsx('bin/start.ts', [], { PLAYHEAD_STATE_DIR: stateDir, PORT: '0', DYNAMODB_PORT: '0', MESSAGING_PORT: '0' });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n').filter((line) => line.trim() !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(file);
    expect(lines[0]).toMatch(/damaged.*[Dd]elete it/);
    expect(lines[0]).toMatch(cost);
    expect(readFileSync(file, 'utf8')).toBe(content);
    if (file === stateFiles(stateDir).signingKey) {
      const token = tsx('bin/token.ts', ['alice'], { PLAYHEAD_STATE_DIR: stateDir });
      expect(token.status).toBe(1);
      expect(token.stdout).toBe('');
      expect(token.stderr.trim().split('\n')).toEqual([expect.stringContaining(file)]);
    }
  });
});
