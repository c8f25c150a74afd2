/**
 * The client SDK for `npm run bench` (issue 13): how much it adds to an app (minified and
 * gzipped, core alone and with the IndexedDB store), and what `progress.set` called every
 * second for ten minutes costs in requests. The playback runs on the client's manual clock, so
 * ten minutes take seconds, while every request it sends goes to the local stack for real.
 */
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { createClient, manualClock, memoryStore } from '../../client/src/index';
import { repoRoot } from '../../local/paths';
import { ASSET_DURATION_SECONDS, type StackContext } from './context';
import { kb, metMark, table } from './format';

const CORE_TARGET_GZIP_BYTES = 15 * 1024;
const PLAYBACK_SECONDS = 600;
const PROGRESS_REQUEST_TARGET = 45;

export interface ClientFigures {
  sizes: Array<{ label: string; exports: string; minBytes: number; gzipBytes: number }>;
  progress: { calls: number; puts: number; otherRequests: number; intervalS: number; storedProgress: number };
}

const BUNDLES = [
  { label: 'core (memory store)', exports: 'createClient, memoryStore' },
  { label: 'core + IndexedDB store', exports: 'createClient, indexedDbStore' },
];

async function measureSizes(): Promise<ClientFigures['sizes']> {
  return Promise.all(
    BUNDLES.map(async ({ label, exports }) => {
      // What an app's bundler keeps of the package when it imports these names.
      const result = await build({
        stdin: { contents: `export { ${exports} } from './client/src/index.ts';`, resolveDir: repoRoot, loader: 'ts' },
        bundle: true,
        minify: true,
        format: 'esm',
        platform: 'browser',
        target: 'es2022',
        write: false,
        logLevel: 'silent',
      });
      const code = result.outputFiles[0]?.contents ?? new Uint8Array();
      return { label, exports, minBytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length };
    }),
  );
}

async function measureProgress(ctx: StackContext): Promise<ClientFigures['progress']> {
  const assetId = randomUUID();
  await ctx.expectStatus(200, 'PUT', `/v1/catalog/assets/${assetId}`, ctx.publisher, { title: 'Bench playback', durationSeconds: ASSET_DURATION_SECONDS });
  const { mintToken } = await import('../../local/local-auth');
  const token = await mintToken(ctx.key, { userId: `bench-player-${randomUUID()}` });
  const clock = manualClock(Date.now());
  const inFlight = new Set<Promise<Response>>();
  let puts = 0;
  let otherRequests = 0;
  const client = createClient({
    baseUrl: ctx.endpoints.api,
    token: () => token,
    deviceId: 'bench-player',
    store: memoryStore(),
    clock,
    fetch: (input, init) => {
      if (init?.method === 'PUT' && new URL(String(input)).pathname.startsWith('/v1/progress/')) puts++;
      else otherRequests++;
      const request = fetch(input, init);
      inFlight.add(request);
      void request.finally(() => inFlight.delete(request)).catch(() => undefined);
      return request;
    },
  });
  const settle = async () => {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  };
  for (let second = 0; second < PLAYBACK_SECONDS; second++) {
    if (second > 0) await clock.advance(1000);
    await client.progress.set(assetId, second);
    await settle();
  }
  // The viewer stops: the latest position goes at once.
  await client.progress.flush();
  await settle();
  const stored = JSON.parse((await ctx.expectStatus(200, 'GET', `/v1/progress/${assetId}`, token)).text) as { progress: number };
  await client.close();
  return { calls: PLAYBACK_SECONDS, puts, otherRequests, intervalS: 15, storedProgress: stored.progress };
}

export async function measureClient(ctx: StackContext): Promise<ClientFigures> {
  return { sizes: await measureSizes(), progress: await measureProgress(ctx) };
}

export function clientTargetRows({ sizes, progress }: ClientFigures): string[][] {
  const core = sizes[0];
  return [
    [`Client core ≤ ${kb(CORE_TARGET_GZIP_BYTES)} KB min+gzip`, `${kb(core?.gzipBytes ?? Number.NaN)} KB`, metMark((core?.gzipBytes ?? Infinity) <= CORE_TARGET_GZIP_BYTES)],
    [
      `progress.set every 1 s for ${PLAYBACK_SECONDS / 60} min ≤ ${PROGRESS_REQUEST_TARGET} requests`,
      `${progress.puts + progress.otherRequests} (naive: ${progress.calls})`,
      metMark(progress.puts + progress.otherRequests <= PROGRESS_REQUEST_TARGET),
    ],
  ];
}

export function renderClient({ sizes, progress }: ClientFigures): string {
  const rows = sizes.map((s) => [s.label, `\`${s.exports}\``, kb(s.minBytes), kb(s.gzipBytes)]);
  return `## The client SDK (issue 13)

What \`@playhead/client\` (\`client/src/index.ts\`) adds to an app, bundled by esbuild for the
browser, minified and gzipped (level 9), keeping only what the named imports use:

${table(['Bundle', 'Imports', 'Minified (KB)', 'min+gzip (KB)'], rows, ['l', 'l', 'r', 'r'])}

\`progress.set\` called once a second for ${PLAYBACK_SECONDS / 60} minutes of playback, then \`progress.flush()\` at the stop,
against the local stack (the client's clock is a manual one, the requests are real): **${progress.puts} PUTs**
and ${progress.otherRequests} other requests, against ${progress.calls} for a client that sends every position. The
client sends a title's position at once when it has not sent one for ${progress.intervalS} s, else once when the
${progress.intervalS} s are up, with the latest value; the flush sends the last one at once. The server
ends with ${progress.storedProgress} s, the last position set.`;
}
