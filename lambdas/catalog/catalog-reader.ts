import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DAX_ENDPOINT_ENV } from '../../lib/dax-settings';
import { documentClient, tableName } from '../shared/dynamo';
import { logger } from '../shared/logger';
import { batchGetItems, type TableKey } from '../shared/table-access';
import { type Asset, assetFromItem } from './asset-store';
import { assetKind, type CatalogKind, catalogKey, episodeKind, showKind } from './catalog-kinds';
import { type CatalogItemCache, cacheKeyOf, containerCatalogCache } from './catalog-reader-cache';
import { type CatalogReader, countCatalogRead, type Item } from './catalog-reader-interface';
import { type Episode, episodeFromItem } from './episode-store';
import { type Show, showFromItem } from './show-store';

/**
 * The read path for catalog reads by key that may be a few seconds stale: the asset check of
 * every progress and watchlist PUT, show and episode look-ups, the catalog's GET routes and
 * batch get. Strongly consistent reads, the change feed, sync, the stream router, user lists
 * and the catalog diff never come here (`test/unit/catalog-reader-imports.test.ts` keeps them
 * out). By default a per-container cache over DynamoDB; in the DAX variant, the cluster.
 */
export type { CatalogReader } from './catalog-reader-interface';

/** Eventually consistent reads straight from the table (half a read unit per item up to 4 KB). */
export const tableCatalogReads: CatalogReader = {
  get: async (key) => (await documentClient.send(new GetCommand({ TableName: tableName, Key: key }))).Item,
  batchGet: (keys) => batchGetItems(keys, { consistent: false }),
};

/** Serves what `cache` holds and reads the rest from `source`, keeping what exists. */
export function cachedCatalogReader(source: CatalogReader, cache: CatalogItemCache): CatalogReader {
  const keep = (item: Item) => cache.set(cacheKeyOf(item as TableKey), item);
  return {
    async get(key) {
      const cached = cache.get(cacheKeyOf(key));
      countCatalogRead('cache', cached === undefined ? 'miss' : 'hit');
      if (cached !== undefined) return cached;
      const item = await source.get(key);
      if (item !== undefined) keep(item);
      return item;
    },
    async batchGet(keys) {
      const found: Item[] = [];
      const missing: TableKey[] = [];
      for (const key of keys) {
        const cached = cache.get(cacheKeyOf(key));
        if (cached === undefined) missing.push(key);
        else found.push(cached);
      }
      countCatalogRead('cache', 'hit', found.length);
      countCatalogRead('cache', 'miss', missing.length);
      if (missing.length === 0) return found;
      const read = await source.batchGet(missing);
      for (const item of read) keep(item);
      return [...found, ...read];
    },
  };
}

/**
 * The container's reader. `process.env.PLAYHEAD_DAX_BUILD` is replaced at build time (lib/bundling.ts),
 * so only the DAX variant's bundle contains the DAX client; it uses the cluster when the stack
 * gave it an endpoint.
 */
function containerReader(): Promise<CatalogReader> {
  const cached = cachedCatalogReader(tableCatalogReads, containerCatalogCache);
  const endpoint = process.env[DAX_ENDPOINT_ENV];
  if (process.env.PLAYHEAD_DAX_BUILD === 'on') {
    if (endpoint) {
      return import('./catalog-reader-dax').then(
        ({ connectDax, daxCatalogReader }) => daxCatalogReader(connectDax(endpoint), tableCatalogReads),
        (error: unknown) => {
          logger.error('The DAX client did not load; reading through the container cache', { error: String(error) });
          return cached;
        },
      );
    }
  }
  return Promise.resolve(cached);
}

// Made while the container initialises, so the DAX client connects before the first request.
const reader = containerReader();

const readItem = async <T>(kind: CatalogKind, id: string, view: (item: Item) => T): Promise<T | undefined> => {
  const item = await (await reader).get(catalogKey(kind, id));
  return item === undefined ? undefined : view(item);
};

/** The container's catalog reads, each parsed into its entity's view. */
export const catalogReader = {
  asset: (assetId: string): Promise<Asset | undefined> => readItem(assetKind, assetId, assetFromItem),
  show: (showId: string): Promise<Show | undefined> => readItem(showKind, showId, showFromItem),
  episode: (episodeId: string): Promise<Episode | undefined> => readItem(episodeKind, episodeId, episodeFromItem),
  /** The stored items among these keys (at most 100 per DynamoDB request, as table-access batches them). */
  items: async (keys: readonly TableKey[]): Promise<Item[]> => (await reader).batchGet(keys),
};
