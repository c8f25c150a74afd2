import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { type BundleVariant, esbuildOptionsFor } from '../lib/bundling';
import { DAX_BUNDLE_SIZE_TARGET_BYTES, daxFunctionIds } from '../lib/dax-settings';
import { type ConsumerDefinition, type ConsumerTrigger, consumers } from '../lib/consumers';
import { type RouteDefinition, routes } from '../lib/routes';
import { repoRoot } from './paths';

/**
 * Builds and loads the deployable Lambda bundles outside tsx, for the bench and the bundle
 * tests, so both measure exactly what the CDK stacks ship (same entries, same esbuild options).
 */

/** Above this a bundle is flagged: larger bundles mean slower cold starts. */
export const BUNDLE_SIZE_TARGET_BYTES = 500 * 1024;
/**
 * Functions that touch message videos carry the S3 client and presigner (about 110 KB more,
 * measured cold import +10 ms); their own, documented target.
 */
export const MEDIA_BUNDLE_SIZE_TARGET_BYTES = 640 * 1024;

export interface LambdaFunction {
  /** The route or consumer id, as in lib/routes.ts and lib/consumers.ts. */
  id: string;
  /** What invokes it: `METHOD /path` for routes. */
  trigger: string;
  entry: string;
  /** The size this bundle must stay under. */
  sizeTargetBytes: number;
  /** `dax`: the build `-c dax=on` deploys for the functions of daxFunctionIds; absent means default. */
  variant?: BundleVariant;
}

export interface BuiltBundle extends LambdaFunction {
  file: string;
  bytes: number;
  /** Output bytes per npm package (`app` for this repository's code), to show where size comes from. */
  bytesByPackage: Record<string, number>;
  /** Output bytes per source file of this repository (path from the repository root). */
  bytesByAppFile: Record<string, number>;
}

export const lambdaFunctions: readonly LambdaFunction[] = [
  ...(routes as readonly RouteDefinition[]).map((route) => ({
    id: route.id,
    trigger: `${route.method} ${route.path}`,
    entry: route.entry,
    sizeTargetBytes: route.media === undefined ? BUNDLE_SIZE_TARGET_BYTES : MEDIA_BUNDLE_SIZE_TARGET_BYTES,
  })),
  ...(Object.values(consumers) as readonly ConsumerDefinition[]).map((consumer) => ({
    id: consumer.id,
    trigger: triggerLabel(consumer.trigger),
    entry: consumer.entry,
    sizeTargetBytes: consumer.media === undefined ? BUNDLE_SIZE_TARGET_BYTES : MEDIA_BUNDLE_SIZE_TARGET_BYTES,
  })),
];

/** The DAX variants (lib/dax-settings.ts), each with the DAX variant's own budget; built only when asked for. */
export const daxLambdaFunctions: readonly LambdaFunction[] = lambdaFunctions
  .filter((fn) => (daxFunctionIds as readonly string[]).includes(fn.id))
  .map((fn) => ({ ...fn, sizeTargetBytes: DAX_BUNDLE_SIZE_TARGET_BYTES, variant: 'dax' }));

function triggerLabel(trigger: ConsumerTrigger): string {
  switch (trigger.kind) {
    case 'stream':
      return 'DynamoDB stream';
    case 'queue':
      return `SQS ${trigger.queue} queue`;
    case 'queues':
      return `SQS ${trigger.sources.map((source) => source.queue).join(', ')} queues`;
    case 'bucket-events':
      return 'S3 Object Created (EventBridge)';
  }
}

/** Builds every function (or those given) into `outDir/<id>/index.mjs` (DAX variants: `outDir/dax/<id>/…`); `.mjs` because Lambda loads ESM that way. */
export async function buildLambdaBundles(outDir: string, functions: readonly LambdaFunction[] = lambdaFunctions): Promise<BuiltBundle[]> {
  return Promise.all(
    functions.map(async (fn) => {
      const file = fn.variant === 'dax' ? path.join(outDir, 'dax', fn.id, 'index.mjs') : path.join(outDir, fn.id, 'index.mjs');
      const { metafile } = await build(esbuildOptionsFor(path.join(repoRoot, fn.entry), file, fn.variant));
      const bytesByPackage: Record<string, number> = {};
      const bytesByAppFile: Record<string, number> = {};
      for (const output of Object.values(metafile?.outputs ?? {})) {
        for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
          const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? 'app';
          bytesByPackage[name] = (bytesByPackage[name] ?? 0) + bytesInOutput;
          if (name === 'app') bytesByAppFile[path.relative(repoRoot, path.resolve(input))] = bytesInOutput;
        }
      }
      return { ...fn, file, bytes: statSync(file).size, bytesByPackage, bytesByAppFile };
    }),
  );
}

const RESULT_KEY = '__playheadChildResult';

// Runs as a bare ES module in a fresh node: no tsx, no loader, no test runner.
const CHILD_SCRIPT = `
const [bundleUrl, eventJson] = process.argv.slice(1);
const started = performance.now();
const mod = await import(bundleUrl);
const importMs = performance.now() - started;
let result;
if (eventJson) {
  const context = { awsRequestId: 'bundle-run', functionName: 'bundle-run', callbackWaitsForEmptyEventLoop: false, getRemainingTimeInMillis: () => 30000 };
  result = await mod.handler(JSON.parse(eventJson), context);
}
process.stdout.write('\\n' + JSON.stringify({ ${RESULT_KEY}: { importMs, result } }) + '\\n', () => process.exit(0));
`;

export interface BundleRun {
  /** Time of `await import(bundle)` alone, in the child. */
  importMs: number;
  /** What `handler(event)` returned; undefined when no event was given. */
  result: unknown;
  /** The JSON lines the function logged on stdout (the Powertools logger's output). */
  logs: Array<Record<string, unknown>>;
}

const execFileAsync = promisify(execFile);

/**
 * Imports a bundle in a new node process and, given an event, invokes its handler once. The
 * child sees only PATH and `env`, as a Lambda sandbox sees only its configured variables.
 */
export async function runBundleInNode(file: string, options: { env: Record<string, string>; event?: unknown; timeoutMs?: number }): Promise<BundleRun> {
  const args = ['--input-type=module', '-e', CHILD_SCRIPT, pathToFileURL(file).href, options.event === undefined ? '' : JSON.stringify(options.event)];
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync(process.execPath, args, {
      env: { PATH: process.env.PATH ?? '', ...options.env },
      timeout: options.timeoutMs ?? 30_000,
      maxBuffer: 16 * 1024 * 1024,
    }));
  } catch (error) {
    // Node echoes the offending source line, which in a minified bundle is hundreds of KB.
    const { stderr = '', code, signal } = error as { stderr?: string; code?: number | string; signal?: string };
    const readable = stderr.split('\n').filter((line) => line.length < 400).slice(-20).join('\n');
    throw new Error(`node could not run ${file} (exit ${code ?? signal}):\n${readable}`);
  }
  const logs: Array<Record<string, unknown>> = [];
  let run: { importMs: number; result: unknown } | undefined;
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const parsed = JSON.parse(line) as Record<string, unknown>;
    if (RESULT_KEY in parsed) run = parsed[RESULT_KEY] as typeof run;
    else logs.push(parsed);
  }
  if (run === undefined) throw new Error(`${file} printed no result:\n${stdout}`);
  return { ...run, logs };
}
