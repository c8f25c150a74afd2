import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { MAX_MUTATIONS_PER_PUSH, MAX_PUSH_BODY_BYTES } from '../../client/src/index';
import { MAX_MUTATIONS_PER_PUSH as SERVER_MAX_MUTATIONS, MAX_PUSH_BODY_BYTES as SERVER_MAX_BYTES } from '../../lambdas/sync/mutations';
import { repoRoot } from '../../local/paths';
import { pointHandlersAtLocalStack } from '../support/handler-env';

const run = promisify(execFile);
const clientDir = path.join(repoRoot, 'client');
const openapi = parse(readFileSync(path.join(repoRoot, 'openapi.yaml'), 'utf8')) as {
  paths: Record<string, Record<string, { requestBody?: { 'x-max-body-bytes'?: number } }>>;
  components: { schemas: Record<string, { properties: Record<string, { enum?: string[]; maxItems?: number }> }> };
};

describe('@playhead/client as a package', () => {
  it('has types generated from the current openapi.yaml (npm run client:types regenerates them)', async () => {
    const cli = path.join(repoRoot, 'node_modules', 'openapi-typescript', 'bin', 'cli.js');
    const checked = await run(process.execPath, [cli, 'openapi.yaml', '-o', 'client/src/generated/openapi.ts', '--check'], { cwd: repoRoot }).then(
      () => 'current',
      (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ''}${error.stderr ?? ''}`,
    );
    expect(checked, 'client/src/generated/openapi.ts is stale: run npm run client:types').toBe('current');
  });

  it('pushes within the server limits and names every type the server accepts, as openapi.yaml does', async () => {
    // The registry's modules read their table configuration when they load.
    pointHandlersAtLocalStack();
    const { pushableTypeNames } = await import('../../lambdas/sync/synced-types');
    expect([MAX_MUTATIONS_PER_PUSH, MAX_PUSH_BODY_BYTES]).toEqual([SERVER_MAX_MUTATIONS, SERVER_MAX_BYTES]);
    const push = openapi.paths['/v1/sync/sessions/{sessionId}/push']?.post;
    expect(push?.requestBody?.['x-max-body-bytes']).toBe(MAX_PUSH_BODY_BYTES);
    expect(openapi.components.schemas.SyncPush?.properties.mutations?.maxItems).toBe(MAX_MUTATIONS_PER_PUSH);
    expect(openapi.components.schemas.SyncMutation?.properties.type?.enum).toEqual(pushableTypeNames());
  });

  it('imports no Node built-in in its core, so it runs in browsers and React Native', async () => {
    // A neutral platform knows no built-ins: importing one fails the build, and the metafile lists every input.
    const result = await build({ absWorkingDir: repoRoot, entryPoints: [path.join(clientDir, 'src', 'index.ts')], bundle: true, platform: 'neutral', write: false, metafile: true, logLevel: 'silent' });
    const imports = Object.values(result.metafile.inputs).flatMap((input) => input.imports.map((i) => i.path));
    expect(imports.filter((i) => !path.resolve(repoRoot, i).startsWith(path.join(clientDir, 'src')))).toEqual([]);
    const sources = readdirSync(path.join(clientDir, 'src')).filter((f) => f.endsWith('.ts') && f !== 'file-store.ts');
    for (const file of sources) expect(readFileSync(path.join(clientDir, 'src', file), 'utf8'), file).not.toMatch(/from ['"]node:|require\(/);
    // The core's own compiler settings have no Node types at all; the demo page compiles with it, against the DOM.
    await run(process.execPath, [path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'client/tsconfig.json'], { cwd: repoRoot });
  }, 60_000);

  it('packs, installs into a scratch project and imports from plain Node', async () => {
    const scratch = mkdtempSync(path.join(tmpdir(), 'playhead-pack-'));
    try {
      const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: clientDir });
      const [{ filename }] = JSON.parse(stdout) as [{ filename: string }];
      writeFileSync(path.join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
      await run('npm', ['install', '--no-audit', '--no-fund', '--offline', path.join(scratch, filename)], { cwd: scratch });
      const script = [
        "import { createClient, memoryStore, indexedDbStore } from '@playhead/client';",
        "import { fileStore } from '@playhead/client/file-store';",
        "const client = createClient({ baseUrl: 'http://127.0.0.1:9', token: () => 't', deviceId: 'scratch', store: fileStore('./state.json') });",
        'await client.open();',
        "await client.datasets.put('notes', { text: 'hello' });",
        "const again = createClient({ baseUrl: 'http://127.0.0.1:9', token: () => 't', deviceId: 'scratch', store: fileStore('./state.json') });",
        'await again.open();',
        'console.log(JSON.stringify({ pending: again.pending().length, notes: again.items("dataset-record").length, stores: [typeof memoryStore, typeof indexedDbStore] }));',
      ].join('\n');
      writeFileSync(path.join(scratch, 'check.mjs'), script);
      const { stdout: out } = await run(process.execPath, ['check.mjs'], { cwd: scratch });
      expect(JSON.parse(out)).toEqual({ pending: 1, notes: 1, stores: ['function', 'function'] });
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 60_000);
});
