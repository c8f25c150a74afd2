import * as z from 'zod';

export const MAX_TITLE_LENGTH = 500;
/** A week: longer than any single title, short enough to catch unit mistakes (ms for s). */
export const MAX_DURATION_SECONDS = 7 * 24 * 3600;

export const assetWriteSchema = z.strictObject({
  title: z.string().trim().min(1).max(MAX_TITLE_LENGTH),
  durationSeconds: z.number().int().min(1).max(MAX_DURATION_SECONDS).optional(),
  regions: z
    .array(z.string().regex(/^[A-Za-z]{2}$/, 'must be an ISO 3166-1 alpha-2 code').transform((code) => code.toUpperCase()))
    .min(1)
    .max(250)
    .transform((codes) => [...new Set(codes)].sort())
    .optional(),
});

/** Token scope a publisher needs to change the catalog. */
export const CATALOG_WRITE_SCOPE = 'catalog:write';
