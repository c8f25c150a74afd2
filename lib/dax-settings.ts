/**
 * The catalog read path, as plain data: how long a container keeps catalog items, and the DAX
 * option (`-c dax=on`): the cluster, its item TTL, the client's timeout, and which functions
 * read through it. Read by the catalog reader, the CDK stacks, the bundler, the bench and the
 * tests; docs/DAX.md explains the figures.
 */

/** Context key that turns the DAX option on (`-c dax=on`); anything else, or nothing, is off. */
export const DAX_CONTEXT_KEY = 'dax';

export const daxEnabled = (value: unknown): boolean => value === 'on';

/**
 * The per-container cache of catalog items when there is no DAX. Ten seconds bounds how long a
 * catalog edit made elsewhere can go unseen by a viewer's check; at one progress PUT per 5 s
 * it still answers every other PUT of a viewer from memory, and each concurrent viewer of the
 * same title in a container adds hits. 1,000 items of at most ~5 KB stay within a few MB of the
 * function's 512 MB. Absent items are not kept, so a title just published is usable at once.
 */
export const catalogCacheSettings = {
  ttlMs: 10_000,
  maxEntries: 1_000,
} as const;

export const daxSettings = {
  nodeType: 'dax.t3.small',
  /** AWS's advice for production: three nodes in three zones, so one can fail or be patched. */
  nodes: 3,
  /** The TLS port (`daxs://`); 8111 is the unencrypted one, which the cluster never opens. */
  port: 9111,
  /** The cluster's item cache TTL: the same staleness bound as the per-container cache. */
  recordTtlMs: catalogCacheSettings.ttlMs,
  /** The reader queries nothing through DAX; the query cache keeps the shortest TTL anyway. */
  queryTtlMs: 1_000,
  /** A read DAX has not answered by then is served by DynamoDB instead. */
  timeoutMs: 150,
  /** After a DAX failure the container reads DynamoDB directly this long before trying DAX again. */
  retryAfterMs: 5_000,
} as const;

/** The cluster's discovery endpoint (`daxs://…`), given only to the DAX-using functions. */
export const DAX_ENDPOINT_ENV = 'PLAYHEAD_DAX_ENDPOINT';

/**
 * Replaced at build time (esbuild `define`): `"on"` in the DAX variant, `"off"` in every other
 * bundle, so default bundles carry no byte of the DAX client. Unbundled code (tsx, the local
 * runtime) reads it from the environment, unset meaning off.
 */
export const DAX_BUILD_VARIABLE = 'PLAYHEAD_DAX_BUILD';

/**
 * The routes that read the catalog through the catalog reader and touch nothing but DynamoDB:
 * with `dax=on` these, and only these, are built with the DAX client and placed in the VPC,
 * whose only way out is the DynamoDB gateway endpoint. `test/unit/catalog-reader-imports.test.ts`
 * proves the list against the bundles' imports, `test/cdk/dax.test.ts` against the stack.
 */
export const daxFunctionIds = [
  'PutProgress',
  'PutWatchlistItem',
  'PutFavourite',
  'GetAsset',
  'GetShow',
  'GetEpisode',
  'ListEpisodes',
  'BatchGetCatalogItems',
  'FetchEpisodes',
] as const;

/**
 * The DAX variant's own size budget: the default 500 KiB plus room for the DAX client (client-dax,
 * antlr4, bowser, bignumber.js, uuid and the aggregated DynamoDB client it extends: 499–501 KB
 * minified, measured in the bench).
 */
export const DAX_BUNDLE_SIZE_TARGET_BYTES = 1_024 * 1024;
