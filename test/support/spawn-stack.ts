import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { repoRoot, stateFiles } from '../../local/paths';
import type { Endpoints } from '../../local/stack';

export interface SpawnedStack {
  endpoints: Endpoints;
  output: () => string;
  /** Ends with the exit code, or null when a signal ended the process. */
  exited: Promise<number | null>;
  /** Sends Ctrl-C (SIGINT) and waits for the process to end. */
  stop(): Promise<number | null>;
}

/** Runs `npm start`'s entry point as its own process on free ports and the given state dir. */
export async function spawnStack(stateDir: string, env: NodeJS.ProcessEnv = {}): Promise<SpawnedStack> {
  rmSync(stateFiles(stateDir).endpoints, { force: true });
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'bin/start.ts'], {
    cwd: repoRoot,
    env: { ...process.env, PORT: '0', DYNAMODB_PORT: '0', MESSAGING_PORT: '0', PLAYHEAD_STATE_DIR: stateDir, POWERTOOLS_LOG_LEVEL: 'WARN', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const file = stateFiles(stateDir).endpoints;
  const deadline = Date.now() + 60_000;
  while (!existsSync(file)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`stack did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    endpoints: JSON.parse(readFileSync(file, 'utf8')) as Endpoints,
    output: () => output,
    exited,
    async stop() {
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
