/**
 * Sections 1 and 2: every Lambda bundle built exactly as CDK builds it, its size, and how long
 * a fresh `node` takes to import it.
 */
import { FEED_CURSOR_SECRET_ENV, BUCKET_NAME_ENV, queueDefinitions, TABLE_NAME_ENV } from '../../lib/queue-definitions';
import { routes } from '../../lib/routes';
import { BUNDLE_SIZE_TARGET_BYTES, type BuiltBundle, MEDIA_BUNDLE_SIZE_TARGET_BYTES, runBundleInNode } from '../../local/lambda-bundles';
import { COLD_INIT_RUNS } from './context';
import { kb, median, metMark, ms, table } from './format';

const targetKb = `${BUNDLE_SIZE_TARGET_BYTES / 1024} KB`;

export interface ColdInit {
  bundle: BuiltBundle;
  samplesMs: number[];
}

/** Configuration the handlers read at module load; endpoints point at a closed local port. */
export function lambdaEnvironment(): Record<string, string> {
  const deadEnd = 'http://127.0.0.1:9';
  return {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_ENDPOINT_URL_DYNAMODB: deadEnd,
    AWS_ENDPOINT_URL_SQS: deadEnd,
    AWS_ENDPOINT_URL_S3: deadEnd,
    AWS_EC2_METADATA_DISABLED: 'true',
    [TABLE_NAME_ENV]: 'playhead-table',
    [BUCKET_NAME_ENV]: 'playhead-media',
    ...Object.fromEntries(queueDefinitions.map((q) => [q.urlEnv, `${deadEnd}/000000000000/playhead-${q.name}`])),
  };
}

export async function measureColdInit(bundles: readonly BuiltBundle[]): Promise<ColdInit[]> {
  const results = bundles.map((bundle) => ({ bundle, samplesMs: [] as number[] }));
  const env = lambdaEnvironment();
  // As deployed, only the routes that sign or check feed cursors get the cursor secret.
  const feedCursorRoutes = new Set<string>(routes.filter((r) => 'feedCursor' in r && r.feedCursor).map((r) => r.id));
  const envFor = (bundle: BuiltBundle) => (feedCursorRoutes.has(bundle.id) ? { ...env, [FEED_CURSOR_SECRET_ENV]: 'bench-cursor-secret' } : env);
  // Round-robin rather than bundle by bundle, so a burst of machine noise spreads over all.
  for (let run = 0; run < COLD_INIT_RUNS; run++) {
    for (const result of results) {
      const { importMs } = await runBundleInNode(result.bundle.file, { env: envFor(result.bundle) });
      result.samplesMs.push(importMs);
    }
  }
  return results;
}

const oversizeOf = (bundles: readonly BuiltBundle[]) => bundles.filter((b) => b.bytes > b.sizeTargetBytes);
const largestOf = (bundles: readonly BuiltBundle[]) => [...bundles].sort((a, b) => b.bytes - a.bytes)[0];

/** The bundle row of the targets table. */
export function bundleTargetRow(bundles: readonly BuiltBundle[]): string[] {
  const oversize = oversizeOf(bundles);
  const largest = largestOf(bundles);
  return [
    `Every bundle ≤ ${targetKb} (${MEDIA_BUNDLE_SIZE_TARGET_BYTES / 1024} KB with the S3 client)`,
    oversize.length === 0 ? `largest ${largest?.id} at ${kb(largest?.bytes ?? 0)} KB` : `${oversize.length} of ${bundles.length} over; largest ${largest?.id} at ${kb(largest?.bytes ?? 0)} KB`,
    metMark(oversize.length === 0),
  ];
}

/** Only when a bundle is over its target: where the largest one's bytes come from. */
export function renderBundleContributors(bundles: readonly BuiltBundle[]): string | undefined {
  const largest = largestOf(bundles);
  if (oversizeOf(bundles).length === 0 || largest === undefined) return undefined;
  const contributors = Object.entries(largest.bytesByPackage)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([name, bytes]) => [`\`${name}\``, kb(bytes), `${Math.round((bytes / largest.bytes) * 100)} %`]);
  return `Where the bytes of the largest bundle (${largest.id}) come from, by package (\`app\` is this
repository's code):

${table(['Package', 'KB in bundle', 'Share'], contributors, ['l', 'r', 'r'])}`;
}

export function renderBundleSizes(bundles: readonly BuiltBundle[]): string {
  return `## 1. Bundle size

Every route handler and the stream router is built with \`esbuildOptionsFor\` from
lib/bundling.ts, the settings the CDK stacks deploy (ESM, minified, AWS SDK bundled, no source
map). Sizes are of the single output file; 1 KB = 1024 bytes.

${table(
  ['Function', 'Invoked by', 'Minified KB', 'Target KB', 'Within'],
  bundles.map((b) => [b.id, `\`${b.trigger}\``, kb(b.bytes), kb(b.sizeTargetBytes), b.bytes > b.sizeTargetBytes ? '❌ over' : '✅']),
  ['l', 'l', 'r', 'r', 'l'],
)}

Targets: ${targetKb}; ${MEDIA_BUNDLE_SIZE_TARGET_BYTES / 1024} KB for the functions that touch message videos, which carry the S3 client and presigner.

${renderObservabilityShare(bundles)}`;
}

/** The files every function carries for its metrics and the logger's Lambda context. */
const OBSERVABILITY_FILES = ['lambdas/shared/invocation.ts', 'lambdas/shared/metrics.ts'];

function renderObservabilityShare(bundles: readonly BuiltBundle[]): string {
  const shares = bundles.map((b) => OBSERVABILITY_FILES.reduce((sum, file) => sum + (b.bytesByAppFile[file] ?? 0), 0));
  return `Every size includes the metrics and the logger's Lambda context (${OBSERVABILITY_FILES.map((f) => `\`${f}\``).join(' and ')}): ${Math.min(...shares)} to ${Math.max(...shares)} bytes a bundle, by the metrics it counts.`;
}

export function renderColdInit(coldInit: readonly ColdInit[]): string {
  const coldMedians = coldInit.map((c) => median(c.samplesMs));
  return `## 2. Cold init

For each bundle, a fresh \`node\` process (no tsx, no loader) is started ${COLD_INIT_RUNS} times; each
time it takes the time, runs \`await import(bundle)\` as the Lambda runtime loads an ES module,
and reports how long the import took. This is the bundle's own share of a cold start (parsing
and module-level code such as SDK client construction); the Lambda runtime's bootstrap and the
first request's connection set-up come on top. The configuration the handlers read at load
(\`TABLE_NAME\`, queue URLs, region, dummy credentials) is set; nothing is contacted.

${table(
  ['Function', 'Median ms', 'Min ms', 'Max ms'],
  coldInit.map((c) => [c.bundle.id, ms(median(c.samplesMs)), ms(Math.min(...c.samplesMs)), ms(Math.max(...c.samplesMs))]),
  ['l', 'r', 'r', 'r'],
)}

Median over all bundles: ${ms(median(coldMedians))} ms.`;
}
