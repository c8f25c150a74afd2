import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../local/paths';
import { call, createAsset, endpoints, newUserId, tokenFor } from '../support/api';
import { fileClient, scratchDir, UNREACHABLE } from '../support/client';

function runUntilExit(env: Record<string, string>): Promise<number | null> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'test/client/fixtures/synchronize-then-exit.ts')], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('a client killed in the middle of synchronize()', () => {
  for (const exitAfter of ['push', 'pull']) {
    it(`restarts from its file store and applies nothing twice (killed after the ${exitAfter} answer)`, async () => {
      const token = await tokenFor(newUserId(`client-crash-${exitAfter}`));
      const assetId = await createAsset({ durationSeconds: 3600 });
      const file = path.join(scratchDir('crash'), 'device.json');
      const offline = fileClient(token, 'tablet', file, { baseUrl: UNREACHABLE, retry: { attempts: 1 } });
      await offline.open();
      const created = await offline.datasets.put('notes', { text: 'made offline' });
      // A keyed record without a base version: applied twice, it would be at version 2.
      await offline.datasets.put('notes', { text: 'keyed' }, { key: 'k1' });
      await offline.watchlist.add(assetId);
      await offline.close();

      const code = await runUntilExit({ BASE_URL: endpoints.api, TOKEN: token, STORE_FILE: file, DEVICE_ID: 'tablet', EXIT_AFTER: exitAfter });
      expect(code).toBe(70);

      const restarted = fileClient(token, 'tablet', file);
      await restarted.open();
      // Killed before it could store the push's answers, the outbox is as it was; after a pull, it is empty.
      expect(restarted.pending()).toHaveLength(exitAfter === 'push' ? 3 : 0);
      const report = await restarted.synchronize();
      expect(report.conflicts).toEqual([]);
      if (exitAfter === 'push') {
        // The answers the server recorded the first time, for the mutation ids sent again.
        expect(report).toMatchObject({ pushed: 3, applied: 3, rejected: [] });
      }
      expect(restarted.pending()).toEqual([]);

      const records = (await call('GET', '/v1/datasets/notes/records', { token })).json as Array<{ key: string; value: unknown; version: number }>;
      expect(records).toHaveLength(2);
      expect(records.find((r) => r.key === 'k1')).toMatchObject({ value: { text: 'keyed' }, version: 1 });
      const serverKey = restarted.datasets.keyOf(created.localId as string);
      expect(records.find((r) => `notes/${r.key}` === serverKey)).toMatchObject({ value: { text: 'made offline' }, version: 1 });
      expect(restarted.items('dataset-record')).toHaveLength(2);
      expect(restarted.item('watchlist', assetId)).toMatchObject({ asset: assetId });
      await restarted.close();
    });
  }
});
