import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { repoRoot } from '../../local/paths';

/**
 * The runnable part of a Markdown document: each ```sh block, with the ```text block that
 * follows it (what it prints), if any. ```console blocks are illustrations (`npm start`, a
 * command that runs until Ctrl-C) and are not run.
 */
export interface Recipe {
  /** The heading the block stands under, to name it in a failure. */
  heading: string;
  script: string;
  expected: string | undefined;
}

export function recipesOf(file: string, section?: RegExp): Recipe[] {
  const recipes: Recipe[] = [];
  let heading = '';
  let inSection = section === undefined;
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const title = /^(#{2,3}) (.*)$/.exec(line);
    if (title) {
      heading = title[2] as string;
      // A section ends at the next heading of its level or above.
      if (section !== undefined && title[1] === '##') inSection = section.test(heading);
      continue;
    }
    const fence = /^```(\w*)$/.exec(line);
    if (!fence) continue;
    const end = lines.indexOf('```', i + 1);
    const body = lines.slice(i + 1, end).join('\n');
    if (inSection && fence[1] === 'sh') recipes.push({ heading, script: body, expected: undefined });
    if (inSection && fence[1] === 'text' && recipes.length > 0 && recipes.at(-1)?.expected === undefined) (recipes.at(-1) as Recipe).expected = `${body}\n`;
    i = end;
  }
  return recipes;
}

export interface RecipeRun {
  code: number | null;
  /** What each recipe printed, in order; a recipe the run did not reach is missing. */
  outputs: string[];
  stderr: string;
}

/**
 * Runs the recipes one after another in one bash, as a reader pasting them into one shell
 * would (later blocks use the variables of earlier ones), stopping at the first command that
 * fails.
 */
export function runRecipes(recipes: Recipe[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<RecipeRun> {
  const marker = `--- recipe ${Math.random().toString(36).slice(2)} ---`;
  const script = ['set -euo pipefail', ...recipes.flatMap((r) => [`echo '${marker}'`, r.script])].join('\n');
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', script], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, outputs: stdout.split(`${marker}\n`).slice(1), stderr });
    });
  });
}
