import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../local/paths';

const run = promisify(execFile);
const CLI = path.join(repoRoot, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');

interface LintReport {
  totals: { errors: number; warnings: number };
  problems: Array<{ ruleId: string; severity: string; message: string; location: Array<{ pointer?: string }> }>;
}

/** `redocly lint` with the repository's redocly.yaml, as `npx redocly lint openapi.yaml` runs it. */
async function lint(file: string): Promise<{ code: number; report: LintReport }> {
  const result = await run(process.execPath, [CLI, 'lint', file, '--format=json', `--config=${path.join(repoRoot, 'redocly.yaml')}`], {
    cwd: repoRoot,
    env: { ...process.env, REDOCLY_SUPPRESS_NOTIFICATIONS: 'true', NO_COLOR: '1' },
    maxBuffer: 16 * 1024 * 1024,
  }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code?: number; stdout?: string }) => ({ code: error.code ?? 1, stdout: error.stdout ?? '' }),
  );
  return { code: result.code, report: JSON.parse(result.stdout) as LintReport };
}

describe('openapi.yaml passes the linter', () => {
  it('has no lint errors and no warnings under redocly.yaml', async () => {
    const { code, report } = await lint('openapi.yaml');
    const findings = report.problems.map((p) => `${p.severity} ${p.ruleId} at ${p.location[0]?.pointer ?? '?'}: ${p.message}`);
    expect(findings).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    expect(code).toBe(0);
  });

  it('fails a document whose only findings are ones the recommended rules call warnings', async () => {
    // No licence and a localhost server: warnings under `recommended`, errors under our config.
    const dir = mkdtempSync(path.join(tmpdir(), 'playhead-lint-'));
    const file = path.join(dir, 'probe.yaml');
    writeFileSync(
      file,
      [
        'openapi: 3.1.0',
        'info: { title: Probe, version: 1.0.0, description: A probe. }',
        'servers: [{ url: "http://localhost:3000" }]',
        'security: []',
        'paths:',
        '  /ping:',
        '    get:',
        '      operationId: Ping',
        '      summary: Ping',
        '      description: Answers.',
        '      responses:',
        "        '200': { description: OK }",
        "        '400': { description: Bad }",
        '',
      ].join('\n'),
    );
    const { code, report } = await lint(file);
    expect(report.problems.map((p) => p.ruleId)).toEqual(expect.arrayContaining(['info-license', 'no-server-example.com']));
    expect(report.problems.every((p) => p.severity === 'error')).toBe(true);
    expect(code).not.toBe(0);
  });
});
