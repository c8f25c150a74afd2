import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../local/paths';

// A probe file inside the tree (the linter reads only the project's own files), named so git ignores it.
const probeDir = mkdtempSync(path.join(repoRoot, 'test', '.lint-probe-'));
afterAll(() => rmSync(probeDir, { recursive: true, force: true }));

// Spelled in pieces so that no search for focused tests mistakes the probe for one.
const [focus, skip] = ['only', 'skip'];
const probe = `import { it } from 'vitest';
const unused = 1;
async function save() { return 1; }
it.${focus}('focused', () => { save(); });
it.${skip}('skipped', () => {});
`;

describe('npm run lint', () => {
  it('fails on focused and skipped tests, floating promises and unused code', () => {
    const file = path.join(probeDir, 'probe.ts');
    writeFileSync(file, probe);
    let report = '';
    try {
      execFileSync(path.join(repoRoot, 'node_modules', '.bin', 'biome'), ['lint', '--reporter=json', '--vcs-use-ignore-file=false', file], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch (error) {
      report = String((error as { stdout?: string }).stdout);
    }
    const rules = (JSON.parse(report) as { diagnostics: { category: string; severity: string }[] }).diagnostics.filter((d) => d.severity === 'error').map((d) => d.category);
    expect(rules.sort()).toEqual(['lint/correctness/noUnusedVariables', 'lint/nursery/noFloatingPromises', 'lint/suspicious/noFocusedTests', 'lint/suspicious/noSkippedTests']);
  });
});
