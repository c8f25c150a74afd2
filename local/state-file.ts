import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

/**
 * Test hook: the base name of a state file (`stream-checkpoints.json`) whose writer this process
 * kills itself in, with SIGKILL, after the new content is on disk beside the file and before it
 * replaces it — the one moment a crash could matter.
 */
export const CRASH_BEFORE_RENAME_ENV = 'PLAYHEAD_CRASH_BEFORE_RENAME';

const TEMP_INFIX = '.tmp-';

/**
 * Writes a state file so that a crash at any moment (kill -9, power loss) leaves either the
 * old content or the new, never a mix: the content goes to a temporary file in the same
 * directory (so the rename cannot cross file systems), is flushed to disk, then renamed over
 * the file, which POSIX makes atomic; the directory is flushed too, so the rename itself
 * survives a power loss. `mode` applies to the new file (0o600 for keys and secrets).
 */
export function writeStateFile(file: string, content: string, options: { mode?: number } = {}): void {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true });
  const temp = path.join(dir, `.${path.basename(file)}${TEMP_INFIX}${process.pid}`);
  const fd = openSync(temp, 'w', options.mode ?? 0o644);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (process.env[CRASH_BEFORE_RENAME_ENV] === path.basename(file)) process.kill(process.pid, 'SIGKILL');
  renameSync(temp, file);
  syncDirectory(dir);
  removeAbandonedTemps(file);
}

/** The file's text, or undefined when there is none. */
export function readStateFile(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some platforms (Windows) cannot open a directory; the rename is still atomic there.
  }
}

/** Temporary files of writers that died before their rename; those of live processes are theirs. */
function removeAbandonedTemps(file: string): void {
  const dir = path.dirname(file);
  const prefix = `.${path.basename(file)}${TEMP_INFIX}`;
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (Number.isInteger(pid) && pid !== process.pid && !isAlive(pid)) rmSync(path.join(dir, name), { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
