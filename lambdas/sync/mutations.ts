import * as z from 'zod';

/** Most mutations one push may carry, so one request stays well inside a Lambda's time. */
export const MAX_MUTATIONS_PER_PUSH = 100;
/** Largest push body (every value may be up to a dataset record's 32 KiB, most are tiny). */
export const MAX_PUSH_BODY_BYTES = 512 * 1024;

export const pushBodySchema = z.strictObject({
  mutations: z.array(z.unknown()).min(1).max(MAX_MUTATIONS_PER_PUSH),
});
