import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatRows, runSmoke } from '../../bin/smoke-checks';
import { repoRoot } from '../../local/paths';
import { endpoints, newUserId, tokenFor } from '../support/api';

describe('npm run smoke against the local stack', () => {
  it('passes every check, skips none, and finds the local stack answering as itself', async () => {
    const token = await tokenFor(newUserId('smoke'), { scopes: ['catalog:write'] });
    const rows = await runSmoke({ apiUrl: endpoints.api, token });
    const checks = rows.filter((row) => row.kind === 'check');
    expect(checks.filter((row) => row.outcome !== 'pass'), formatRows(rows)).toEqual([]);
    expect(checks.map((row) => row.name)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^health/),
        expect.stringMatching(/^auth: no token/),
        expect.stringMatching(/^auth: a token signed by another key/),
        expect.stringMatching(/^watchlist/),
        expect.stringMatching(/^progress/),
        expect.stringMatching(/^favourites/),
        expect.stringMatching(/^queue/),
        expect.stringMatching(/^datasets/),
        expect.stringMatching(/^sync/),
        expect.stringMatching(/^messages/),
        expect.stringMatching(/^catalog: a user reads the asset/),
        expect.stringMatching(/^errors: a malformed JSON body/),
        expect.stringMatching(/^cleanup/),
      ]),
    );
    // Locally Playhead answers every error itself, so every note reads "same".
    expect(rows.filter((row) => row.kind === 'note' && row.outcome !== 'same'), formatRows(rows)).toEqual([]);
  });

  it('fails a check when the stage answers wrongly: a stage that accepts any token', async () => {
    // A server that says 200 to everything stands in for a stage with its authorizer missing.
    const { createServer } = await import('node:http');
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"status":"ok"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const rows = await runSmoke({ apiUrl: `http://127.0.0.1:${port}`, token: await tokenFor(newUserId('smoke')) });
      const failed = rows.filter((row) => row.outcome === 'fail').map((row) => row.name);
      expect(failed).toEqual(expect.arrayContaining([expect.stringMatching(/^auth: no token/), expect.stringMatching(/^auth: a token signed by another key/), expect.stringMatching(/^errors: a malformed JSON body/)]));
    } finally {
      server.close();
    }
  });

  it('runs as npm run smoke, printing the table and exiting 0', async () => {
    const token = await tokenFor(newUserId('smoke-cli'), { scopes: ['catalog:write'] });
    const { stdout } = await promisify(execFile)('npm', ['run', '-s', 'smoke', '--', endpoints.api, token], { cwd: repoRoot, timeout: 60_000, maxBuffer: 4 * 1024 * 1024 });
    expect(stdout).toMatch(/^PASS +health/m);
    expect(stdout).not.toMatch(/^FAIL/m);
    expect(stdout).toMatch(/(\d+) of \1 checks passed\./);
  }, 90_000);
});
