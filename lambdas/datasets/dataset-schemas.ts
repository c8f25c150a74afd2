import * as z from 'zod';
import {
  MAX_DATASET_NAME_LENGTH,
  MAX_RECORD_KEY_LENGTH,
  MAX_VALUE_BYTES,
  MAX_VALUE_DEPTH,
  MAX_VALUE_NUMBER,
  MIN_VALUE_MAGNITUDE,
  NAME_CHARACTERS,
  NAME_PATTERN,
} from './dataset-limits';

/** Input schemas of datasets, for the HTTP routes and for anything else that writes records. */
const nameSchema = (maxLength: number) =>
  z
    .string()
    .min(1, 'must not be empty')
    .max(maxLength, `must be at most ${maxLength} characters`)
    .regex(NAME_PATTERN, `may only contain ${NAME_CHARACTERS}`)
    // URLs drop the dot segments `.` and `..`: a dataset or record so named could be written by a sync push but never reached through the routes.
    .refine((name) => name !== '.' && name !== '..', 'must not be . or ..');

export const datasetNameSchema = nameSchema(MAX_DATASET_NAME_LENGTH);
export const recordKeySchema = nameSchema(MAX_RECORD_KEY_LENGTH);

export const datasetPathSchema = z.strictObject({ dataset: datasetNameSchema });
export const recordPathSchema = z.strictObject({ dataset: datasetNameSchema, key: recordKeySchema });

/** A lone UTF-16 surrogate (JSON allows `"\ud800"`) would not survive UTF-8 storage unchanged. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function numberProblem(n: number): string | undefined {
  // JSON.parse turns 1e400 into Infinity, which JSON.stringify would silently make null.
  if (!Number.isFinite(n) || Math.abs(n) > MAX_VALUE_NUMBER) return `must not hold a number beyond ±${MAX_VALUE_NUMBER} (send large ids as strings)`;
  if (n !== 0 && Math.abs(n) < MIN_VALUE_MAGNITUDE) return `must not hold a non-zero number closer to 0 than ${MIN_VALUE_MAGNITUDE}`;
  return undefined;
}

/**
 * Why a parsed JSON value cannot be stored exactly, or undefined when it can. The walk is
 * iterative and stops at the depth limit, so a 30 KB `[[[[…]]]]` cannot overflow the stack
 * here (nor, once refused, in JSON.stringify below or anywhere later).
 */
export function valueProblem(value: unknown): string | undefined {
  if (value === undefined) return 'is required (send null for no value)';
  const pending: Array<{ node: unknown; depth: number }> = [{ node: value, depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { node, depth } = next;
    if (typeof node === 'number') {
      const problem = numberProblem(node);
      if (problem !== undefined) return problem;
    } else if (typeof node === 'string') {
      if (LONE_SURROGATE.test(node)) return 'must not hold a string with a lone UTF-16 surrogate';
    } else if (typeof node === 'object' && node !== null) {
      if (depth >= MAX_VALUE_DEPTH) return `must not nest arrays and objects more than ${MAX_VALUE_DEPTH} deep`;
      for (const [name, child] of Object.entries(node)) {
        if (!Array.isArray(node) && (name === '' || LONE_SURROGATE.test(name))) return 'must not hold an object member with an empty or invalid name';
        pending.push({ node: child, depth: depth + 1 });
      }
    }
  }
  const bytes = Buffer.byteLength(JSON.stringify(value), 'utf8');
  if (bytes > MAX_VALUE_BYTES) return `must be at most ${MAX_VALUE_BYTES} bytes as compact JSON, not ${bytes}`;
  return undefined;
}

/** Any JSON value (null included) within the limits of dataset-limits.ts. */
export const datasetValueSchema = z.unknown().superRefine((value, ctx) => {
  const problem = valueProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

export const recordWriteSchema = z.strictObject({ value: datasetValueSchema });
