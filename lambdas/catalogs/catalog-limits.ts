/**
 * Every limit on curated catalogs, diffs and batch gets, in one module that loads nothing else
 * (the contract test compares these figures with openapi.yaml).
 */

/** Catalog ids are chosen by the publisher, readable in URLs: `tv-lineup-uk`. */
export const CATALOG_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;
export const MAX_CATALOG_NAME_LENGTH = 200;
export const MAX_CATALOG_DESCRIPTION_LENGTH = 4000;
/** Keys per `keys:add` / `keys:remove` call: one BatchGetItem of the content. */
export const MAX_KEYS_PER_CHANGE = 100;
/** Keys per `items:batchGet` call: one BatchGetItem. */
export const MAX_BATCH_GET_KEYS = 100;
/** Keys a diff may send. */
export const MAX_DIFF_KEYS = 10_000;
/** Largest `missing` bucket in one diff answer; `nextCursor` continues it. */
export const MISSING_PAGE_SIZE = 5_000;
/** 10,000 keys of 47 bytes each (`"episode:<uuid>",`) are 470 KB; 1 MiB leaves room for white space. */
export const MAX_DIFF_BODY_BYTES = 1024 * 1024;
/** A list of thousands of bad keys is answered with the first few, not a megabyte of errors. */
export const MAX_REPORTED_KEY_ERRORS = 20;
/** How far `asOf` lies before the diff's read; catalog-diff.ts says why. */
export const DIFF_SINCE_OVERLAP_MS = 60_000;
