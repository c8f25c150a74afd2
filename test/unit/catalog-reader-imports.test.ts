/**
 * The import guard of the catalog reader: reads that must be strongly consistent or complete
 * (the change feed, sync, the stream router, user lists, the catalog diff, the queue's copy of an
 * episode) never reach the reader, whose answers may be a TTL old, nor the DAX client. The import
 * graph is esbuild's, of each function's DAX variant, so a dead branch cannot hide an import.
 */
import path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { esbuildOptionsFor } from '../../lib/bundling';
import { type ConsumerDefinition, consumers } from '../../lib/consumers';
import { daxFunctionIds } from '../../lib/dax-settings';
import { type RouteDefinition, routes } from '../../lib/routes';
import { repoRoot } from '../../local/paths';

const READER_MODULES = ['lambdas/catalog/catalog-reader.ts', 'lambdas/catalog/catalog-reader-dax.ts'];
const DAX_PACKAGE = '@amazon-dax-sdk/lib-dax';

/** Functions that must never read through the reader, by what they serve. */
const guarded: Record<string, readonly string[]> = {
  'the change feed and sync': (routes as readonly RouteDefinition[]).filter((r) => r.entry.startsWith('lambdas/sync/')).map((r) => r.id),
  'the stream router': [consumers.streamRouter.id],
  'the catalog diff': ['DiffCatalog'],
  'user lists': ['ListProgress', 'ListWatchlist', 'ListFavourites', 'ListQueue', 'ListDatasets', 'ListDatasetRecords', 'ListDevices'],
  'strongly consistent reads': ['GetProgress', 'PutQueueEntry', 'PatchQueueEntry', 'GetDatasetRecord', 'GetMessageInbox'],
  // Catalog writes check what they replace in the table itself.
  'catalog writes': ['PutEpisode', 'DeleteEpisode', 'PutAsset', 'DeleteAsset', 'PutShow', 'DeleteShow'],
};

const entries: Record<string, string> = Object.fromEntries([
  ...(routes as readonly RouteDefinition[]).map((r) => [r.id, r.entry]),
  ...(Object.values(consumers) as readonly ConsumerDefinition[]).map((c) => [c.id, c.entry]),
]);

interface Graph {
  /** Repository modules in the bundle, relative to the repository root. */
  modules: Set<string>;
  /** Packages imported (left external here, so only their names count). */
  packages: Set<string>;
}

const graphs = new Map<string, Graph>();

async function graphOf(id: string): Promise<Graph> {
  const entry = entries[id];
  if (entry === undefined) throw new Error(`no function ${id}`);
  const { metafile } = (await build({ ...esbuildOptionsFor(path.join(repoRoot, entry), `/dev/null/${id}.mjs`, 'dax'), write: false, packages: 'external' })) as { metafile: Metafile };
  const modules = new Set(Object.keys(metafile.inputs).map((input) => path.relative(repoRoot, path.resolve(input))));
  const packages = new Set(Object.values(metafile.outputs).flatMap((output) => output.imports.filter((i) => i.external).map((i) => i.path)));
  return { modules, packages };
}

beforeAll(async () => {
  const ids = Object.keys(entries);
  for (const [id, graph] of await Promise.all(ids.map(async (id) => [id, await graphOf(id)] as const))) graphs.set(id, graph);
}, 120_000);

const graph = (id: string): Graph => {
  const found = graphs.get(id);
  if (found === undefined) throw new Error(`no import graph for ${id}`);
  return found;
};
const readsThroughReader = (id: string) => READER_MODULES.some((module) => graph(id).modules.has(module));

describe('the catalog reader import guard', () => {
  it.each(Object.entries(guarded).flatMap(([what, ids]) => ids.map((id) => [what, id] as const)))('%s: %s imports neither the reader nor the DAX client', (_, id) => {
    expect(entries[id], `${id} is no function`).toBeDefined();
    const { modules, packages } = graph(id);
    for (const module of READER_MODULES) expect(modules.has(module), `${id} imports ${module}`).toBe(false);
    expect(packages.has(DAX_PACKAGE), `${id} imports ${DAX_PACKAGE}`).toBe(false);
  });

  it('sees through to the reader where it is used (so the results above mean something)', () => {
    expect(graph('PutProgress').modules.has('lambdas/catalog/catalog-reader-dax.ts')).toBe(true);
    expect(graph('PutProgress').packages.has(DAX_PACKAGE)).toBe(true);
  });

  it('lists in daxFunctionIds every function that reads through the reader and can live in the VPC, and no other', () => {
    const canJoinVpc = (id: string) => {
      const route = (routes as readonly RouteDefinition[]).find((r) => r.id === id);
      return route !== undefined && route.sendsTo === undefined && route.media === undefined;
    };
    const readers = Object.keys(entries).filter(readsThroughReader);
    expect(readers.filter(canJoinVpc).sort()).toEqual([...daxFunctionIds].sort());
  });
});
