import * as z from 'zod';
import { plainWords } from '../shared/field-messages';
import { contentKeySchema } from '../catalog/content-keys';
import {
  CATALOG_ID_PATTERN,
  MAX_BATCH_GET_KEYS,
  MAX_CATALOG_DESCRIPTION_LENGTH,
  MAX_CATALOG_NAME_LENGTH,
  MAX_DIFF_KEYS,
  MAX_KEYS_PER_CHANGE,
  MAX_REPORTED_KEY_ERRORS,
} from './catalog-limits';

/** The inputs of the curated catalog routes; their limits are in catalog-limits.ts. */

export const catalogIdSchema = z.string().regex(CATALOG_ID_PATTERN, 'must be 1 to 64 of a-z 0-9 -, starting with a letter or digit');
export const catalogPathSchema = z.strictObject({ catalogId: catalogIdSchema });

export const catalogWriteSchema = z.strictObject({
  name: z.string().trim().min(1).max(MAX_CATALOG_NAME_LENGTH),
  description: z.string().max(MAX_CATALOG_DESCRIPTION_LENGTH).optional(),
});
export type CatalogWrite = z.infer<typeof catalogWriteSchema>;

/** One content key as sent, in canonical form, with its place in the request (for error fields). */
export interface SentKey {
  key: string;
  index: number;
}

/**
 * A list of content keys, `min` to `max` long. The length is checked first (one error naming
 * the list); then each key, naming at most MAX_REPORTED_KEY_ERRORS of the bad ones
 * (`body.keys.<i>`). Keys come out canonical (lower case) and without repeats, first place kept.
 */
export const contentKeyListSchema = (min: number, max: number) =>
  z
    .array(z.unknown())
    .min(min)
    .max(max)
    .transform((keys, ctx) => {
      const seen = new Map<string, SentKey>();
      let bad = 0;
      keys.forEach((raw, index) => {
        const parsed = contentKeySchema.safeParse(raw, { error: plainWords });
        if (parsed.success) {
          if (!seen.has(parsed.data)) seen.set(parsed.data, { key: parsed.data, index });
        } else if (bad++ < MAX_REPORTED_KEY_ERRORS) {
          ctx.issues.push({ code: 'custom', message: parsed.error.issues[0]?.message ?? 'is not a content key', input: raw, path: [index] });
        }
      });
      return bad > 0 ? z.NEVER : [...seen.values()];
    });

export const keysChangeSchema = z.strictObject({ keys: contentKeyListSchema(1, MAX_KEYS_PER_CHANGE) });

export const batchGetSchema = z.strictObject({ keys: contentKeyListSchema(1, MAX_BATCH_GET_KEYS) });

/** ISO 8601 with an offset, kept as the server writes times (UTC, milliseconds) so they compare as text. */
const isoTimeSchema = z.iso.datetime({ offset: true }).transform((at) => new Date(at).toISOString());

export const diffRequestSchema = z.strictObject({
  keys: contentKeyListSchema(0, MAX_DIFF_KEYS),
  since: isoTimeSchema.optional(),
  cursor: z.string().min(1).max(1024).optional(),
});
export type DiffRequest = z.infer<typeof diffRequestSchema>;
