/**
 * The documented limits of datasets (openapi.yaml and README.md state the same numbers; the
 * contract test checks them). They follow Cognito Sync's, which clients of this kind of
 * storage already design for.
 */

/** Dataset names and record keys: letters, digits and `_ . : -` only, so `#` and `/` can separate them in keys. */
export const NAME_PATTERN = /^[A-Za-z0-9_.:-]+$/;
export const NAME_CHARACTERS = 'A-Z a-z 0-9 _ . : -';
export const MAX_DATASET_NAME_LENGTH = 128;
export const MAX_RECORD_KEY_LENGTH = 256;

/** A record's value, measured as its compact JSON text in UTF-8. */
export const MAX_VALUE_BYTES = 32 * 1024;
/**
 * Arrays and objects nested deeper than this are refused. Values are stored as DynamoDB
 * maps and lists, here and inside change-feed entries that wrap them in two more levels,
 * and DynamoDB stops at 32 levels; recursive code anywhere (a JSON encoder, a client's
 * decoder) is also one deep request away from a stack overflow without a bound.
 */
export const MAX_VALUE_DEPTH = 16;
/**
 * Numbers a value may hold: beyond 2^53 - 1 a JSON number is not exact in JavaScript (and the
 * DynamoDB document client refuses it), and below 1e-130 DynamoDB cannot store it. Large ids
 * belong in strings.
 */
export const MAX_VALUE_NUMBER = Number.MAX_SAFE_INTEGER;
export const MIN_VALUE_MAGNITUDE = 1e-130;
/** The PUT body: the largest value plus room for `{"value": }` and white space around it. */
export const MAX_RECORD_BODY_BYTES = MAX_VALUE_BYTES + 1024;

export const MAX_RECORDS_PER_DATASET = 1024;
export const MAX_DATASETS_PER_USER = 20;

/**
 * One page of records is at most this many, whatever `limit` asks for: 100 values of 32 KiB
 * stay well inside a Lambda's 6 MB response, 1000 would not.
 */
export const MAX_RECORDS_PER_PAGE = 100;
