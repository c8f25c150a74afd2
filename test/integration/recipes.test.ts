import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../local/paths';
import { type Recipe, recipesOf, runRecipes } from '../support/doc-recipes';
import { type SpawnedStack, spawnStack } from '../support/spawn-stack';

const RECIPES = path.join(repoRoot, 'docs', 'recipes.md');
const README = path.join(repoRoot, 'README.md');

// A fresh stack of their own, as a reader has after `npm start`: the recipes use fixed ids and users.
let stack: SpawnedStack;
let stateDir: string;
beforeAll(async () => {
  stateDir = mkdtempSync(path.join(tmpdir(), 'playhead-recipes-'));
  stack = await spawnStack(stateDir);
}, 90_000);
afterAll(async () => {
  await stack?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

async function expectRecipesToRun(recipes: Recipe[]): Promise<void> {
  const env = { ...process.env, PORT: new URL(stack.endpoints.api).port, PLAYHEAD_STATE_DIR: stateDir };
  const run = await runRecipes(recipes, env, 150_000);
  const printed = recipes.map((recipe, i) => ({ heading: recipe.heading, output: run.outputs[i] }));
  // A block that shows no output must still run; one that shows it must print exactly that.
  const documented = recipes.map((recipe, i) => ({ heading: recipe.heading, output: recipe.expected ?? run.outputs[i] ?? '(the run stopped before this block)' }));
  expect(run.stderr).toBe('');
  expect(printed).toEqual(documented);
  expect(run.code).toBe(0);
}

describe('the documents\' shell recipes run as written and print what they show', () => {
  it('has jq and curl, which the recipes need', () => {
    for (const tool of ['jq', 'curl']) expect(execFileSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' })).toMatch(/\//);
  });

  it('README.md: the quick start', async () => {
    const recipes = recipesOf(README, /^Quick start$/);
    expect(recipes.length).toBeGreaterThanOrEqual(1);
    await expectRecipesToRun(recipes);
  }, 120_000);

  it('docs/recipes.md: sync, podcasts, datasets, catalogs and messages', async () => {
    const recipes = recipesOf(RECIPES);
    expect(recipes.length).toBeGreaterThanOrEqual(8);
    await expectRecipesToRun(recipes);
  }, 180_000);
});
