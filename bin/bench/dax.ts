/**
 * The catalog read path (docs/DAX.md): the read units the per-container cache saves per
 * progress PUT, and what the DAX option (`-c dax=on`) costs in bundle bytes and cold import.
 * The cache is measured on the stack's DynamoDB Local, each figure the capacity meter's count.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { catalogCacheSettings, DAX_BUNDLE_SIZE_TARGET_BYTES, DAX_ENDPOINT_ENV, daxFunctionIds, daxSettings } from '../../lib/dax-settings';
import { freePort } from '../../local/free-port';
import { type BuiltBundle, buildLambdaBundles, daxLambdaFunctions, runBundleInNode } from '../../local/lambda-bundles';
import { lambdaEnvironment } from './bundles';
import type { StackContext } from './context';
import { COLD_INIT_RUNS, note } from './context';
import { formatUnits, kb, median, metMark, ms, table } from './format';
import { money, PRICES } from './prices';

/** PUTs of one viewer on one title, in one container. */
const PUTS = 100;
/** How often the reference player saves its position (SYNC.md). */
const PUT_INTERVAL_MS = 5_000;
/** The functions whose cold import is compared; the rest differ from them only in their own code. */
const IMPORT_COMPARED = ['PutProgress', 'GetAsset'] as const;

/**
 * dax.t3.small, on demand, us-east-1: $0.04 per node-hour (https://aws.amazon.com/dynamodb/pricing/,
 * the DynamoDB Accelerator section; no free tier, no reserved nodes).
 */
const DAX_NODE_HOUR = 0.04;
const HOURS_PER_MONTH = 730;

export interface DaxFigures {
  cache: {
    /** Read units of PUTS progress PUTs through the route, one after another (gateway, cache on). */
    route: { puts: number; readUnits: number };
    /** The same PUTs' catalog checks read straight from the table, as without the cache. */
    uncached: { readUnits: number };
    /** One viewer saving every PUT_INTERVAL_MS (a clock the test drives), through the cache. */
    paced: { readUnits: number };
  };
  bundles: { id: string; defaultBytes: number; daxBytes: number; daxClientBytes: number }[];
  imports: { id: string; defaultMs: number; daxMs: number }[];
}

/** Read units the capacity meter counted while `work` ran. */
async function unitsOf(work: () => Promise<unknown>): Promise<{ readUnits: number }> {
  const { newTally, withCapacityTally } = await import('../../lambdas/shared/capacity-meter');
  const tally = newTally();
  await withCapacityTally(tally, async () => {
    await work();
  });
  return { readUnits: tally.readUnits };
}

async function measureCache(ctx: StackContext): Promise<DaxFigures['cache']> {
  const { mintToken } = await import('../../local/local-auth');
  const { recordProgress } = await import('../../lambdas/progress/progress-rules');
  const { cachedCatalogReader, tableCatalogReads } = await import('../../lambdas/catalog/catalog-reader');
  const { CatalogItemCache } = await import('../../lambdas/catalog/catalog-reader-cache');
  const { assetFromItem } = await import('../../lambdas/catalog/asset-store');
  const { assetKind, catalogKey } = await import('../../lambdas/catalog/catalog-kinds');

  const assetId = randomUUID();
  await ctx.expectStatus(200, 'PUT', `/v1/catalog/assets/${assetId}`, ctx.publisher, ctx.newAsset());
  const viewer = await mintToken(ctx.key, { userId: `bench-cache-${randomUUID()}` });

  // Through the route as deployed: the gateway runs PutProgress in this process, one container.
  ctx.capture.take();
  for (let i = 0; i < PUTS; i++) await ctx.expectStatus(200, 'PUT', `/v1/progress/${assetId}`, viewer, { progress: i });
  const logs = ctx.capture.take();
  if (logs.length !== PUTS) throw new Error(`expected ${PUTS} capacity reports, got ${logs.length}`);
  const route = { puts: PUTS, readUnits: logs.reduce((sum, log) => sum + log.dynamoReadUnits, 0) };

  const principal = { userId: `bench-cache-${randomUUID()}`, scopes: new Set<string>(), country: undefined };
  const now = new Date().toISOString();
  const uncached = await unitsOf(async () => {
    for (let i = 0; i < PUTS; i++) await recordProgress(principal, assetId, i, now);
  });

  let clockMs = Date.now();
  const pacedReader = cachedCatalogReader(tableCatalogReads, new CatalogItemCache(catalogCacheSettings.ttlMs, catalogCacheSettings.maxEntries, () => clockMs));
  const readAsset = async (id: string) => {
    const item = await pacedReader.get(catalogKey(assetKind, id));
    return item === undefined ? undefined : assetFromItem(item);
  };
  const paced = await unitsOf(async () => {
    for (let i = 0; i < PUTS; i++) {
      await recordProgress(principal, assetId, i, now, undefined, undefined, readAsset);
      clockMs += PUT_INTERVAL_MS;
    }
  });
  // Each PUT writes its progress item too; only the catalog check reads.
  return { route, uncached: { readUnits: uncached.readUnits }, paced: { readUnits: paced.readUnits } };
}

async function measureBundles(workDir: string, defaultBundles: readonly BuiltBundle[]): Promise<Pick<DaxFigures, 'bundles' | 'imports'>> {
  note(`building the DAX variant of ${daxFunctionIds.length} functions`);
  const daxBundles = await buildLambdaBundles(path.join(workDir, 'dax-bundles'), daxLambdaFunctions);
  const find = (bundles: readonly BuiltBundle[], id: string) => {
    const bundle = bundles.find((b) => b.id === id);
    if (bundle === undefined) throw new Error(`no bundle ${id}`);
    return bundle;
  };
  const bundles = daxFunctionIds.map((id) => {
    const dax = find(daxBundles, id);
    return { id, defaultBytes: find(defaultBundles, id).bytes, daxBytes: dax.bytes, daxClientBytes: Object.entries(dax.bytesByPackage).filter(([name]) => !(name in find(defaultBundles, id).bytesByPackage)).reduce((sum, [, bytes]) => sum + bytes, 0) };
  });

  // The DAX variant connects while it initialises; nothing listens at this endpoint, so the import
  // includes loading the client and starting it, not a reachable cluster's answers.
  const env = { ...lambdaEnvironment(), [DAX_ENDPOINT_ENV]: `dax://127.0.0.1:${await freePort()}` };
  const samples = IMPORT_COMPARED.map((id) => ({ id, defaultMs: [] as number[], daxMs: [] as number[] }));
  note(`measuring the DAX variant's cold import (${COLD_INIT_RUNS} runs × ${IMPORT_COMPARED.length * 2} bundles)`);
  for (let run = 0; run < COLD_INIT_RUNS; run++) {
    for (const sample of samples) {
      sample.defaultMs.push((await runBundleInNode(find(defaultBundles, sample.id).file, { env })).importMs);
      sample.daxMs.push((await runBundleInNode(find(daxBundles, sample.id).file, { env })).importMs);
    }
  }
  return { bundles, imports: samples.map((s) => ({ id: s.id, defaultMs: median(s.defaultMs), daxMs: median(s.daxMs) })) };
}

export async function measureDax(ctx: StackContext, workDir: string, defaultBundles: readonly BuiltBundle[]): Promise<DaxFigures> {
  note('measuring the catalog cache and the DAX variant');
  const cache = await measureCache(ctx);
  return { cache, ...(await measureBundles(workDir, defaultBundles)) };
}

export function renderDax(figures: DaxFigures): string {
  const { route, uncached, paced } = figures.cache;
  const perPut = (units: number) => formatUnits(units / PUTS);
  const clusterMonthly = daxSettings.nodes * DAX_NODE_HOUR * HOURS_PER_MONTH;
  const savedPerPut = (uncached.readUnits - paced.readUnits) / PUTS;
  // A read DAX answers from its item cache saves the half unit an eventually consistent read costs.
  const breakEvenHits = clusterMonthly / ((0.5 * PRICES.dynamoReadPerMillion) / 1e6);
  const largest = [...figures.bundles].sort((a, b) => b.daxBytes - a.daxBytes)[0];
  const overBudget = figures.bundles.filter((b) => b.daxBytes > DAX_BUNDLE_SIZE_TARGET_BYTES);
  return [
    '## The catalog read path: the container cache and the DAX option',
    '',
    `Every progress PUT checks its asset (docs/DAX.md). By default each container keeps the catalog items it read for ${catalogCacheSettings.ttlMs / 1000} s (at most ${catalogCacheSettings.maxEntries.toLocaleString('en-US')}); \`-c dax=on\` reads them through a DAX cluster instead. Read units as the capacity meter counted them on DynamoDB Local, ${PUTS} PUTs of one viewer on one title in one container.`,
    '',
    table(
      ['catalog check', `read units for ${PUTS} PUTs`, 'per PUT'],
      [
        ['straight from the table (no cache)', formatUnits(uncached.readUnits), perPut(uncached.readUnits)],
        ['the route, PUTs back to back (cache on)', formatUnits(route.readUnits), perPut(route.readUnits)],
        [`one PUT every ${PUT_INTERVAL_MS / 1000} s (cache on, the player's pace)`, formatUnits(paced.readUnits), perPut(paced.readUnits)],
      ],
      ['l', 'r', 'r'],
    ),
    '',
    `At the player's pace the cache saves ${formatUnits(savedPerPut)} read units per PUT (${money((savedPerPut * PRICES.dynamoReadPerMillion), 4)} per million PUTs); each further viewer of the same title in the same container adds only hits.`,
    '',
    '### The DAX variant',
    '',
    `Built only with \`-c dax=on\`, only for ${daxFunctionIds.length} functions; every default bundle is unchanged (test/bundles/bundles.test.ts). Budget ${DAX_BUNDLE_SIZE_TARGET_BYTES / 1024} KB: ${overBudget.length === 0 ? `${metMark(true)}, largest ${largest?.id} at ${kb(largest?.daxBytes ?? 0)} KB` : `${metMark(false)}: ${overBudget.map((b) => b.id).join(', ')}`}.`,
    '',
    table(
      ['function', 'default KB', 'DAX variant KB', 'added KB'],
      figures.bundles.map((b) => [b.id, kb(b.defaultBytes), kb(b.daxBytes), kb(b.daxBytes - b.defaultBytes)]),
      ['l', 'r', 'r', 'r'],
    ),
    '',
    table(
      [`cold import (median of ${COLD_INIT_RUNS})`, 'default ms', 'DAX variant ms', 'added ms'],
      figures.imports.map((i) => [i.id, ms(i.defaultMs), ms(i.daxMs), ms(i.daxMs - i.defaultMs)]),
      ['l', 'r', 'r', 'r'],
    ),
    '',
    `The cluster (${daxSettings.nodes} × ${daxSettings.nodeType} at ${money(DAX_NODE_HOUR)} per node-hour) costs ${money(clusterMonthly)} a month before the VPC's flow log. Each read it answers from its item cache saves half a read unit (${money(0.5 * PRICES.dynamoReadPerMillion, 4)} per million), so it pays for itself in read units only beyond ${(breakEvenHits / 1e9).toFixed(1)} billion such hits a month (${Math.round(breakEvenHits / (HOURS_PER_MONTH * 3600)).toLocaleString('en-US')} a second, around the clock), against the container cache's hits, which cost nothing.`,
    '',
  ].join('\n');
}
