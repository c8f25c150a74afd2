import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import type { Endpoints } from '../../local/stack';
import { repoRoot, stateFiles } from '../../local/paths';

declare module 'vitest' {
  export interface ProvidedContext {
    endpoints: Endpoints;
    stateDir: string;
  }
}

/**
 * Starts the backend exactly as `npm start` does (same entry point, own state directory and
 * free ports), so every integration test runs against the real local engines.
 */
export default async function setup(project: TestProject) {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'playhead-test-'));
  const logFile = path.join(stateDir, 'stack.log');
  const log = createWriteStream(logFile);
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'bin/start.ts'], {
    cwd: repoRoot,
    env: { ...process.env, PORT: '0', DYNAMODB_PORT: '0', MESSAGING_PORT: '0', PLAYHEAD_STATE_DIR: stateDir, POWERTOOLS_LOG_LEVEL: 'WARN' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const endpointsFile = stateFiles(stateDir).endpoints;
  const deadline = Date.now() + 60_000;
  while (!existsSync(endpointsFile)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the local stack did not start:\n${readFileSync(logFile, 'utf8')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const endpoints = JSON.parse(readFileSync(endpointsFile, 'utf8')) as Endpoints;
  project.provide('endpoints', endpoints);
  project.provide('stateDir', stateDir);

  return async () => {
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
    if (process.env.PLAYHEAD_KEEP_TEST_STATE === undefined) rmSync(stateDir, { recursive: true, force: true });
  };
}
