import * as z from 'zod';

/**
 * The push sender's delayed message to itself on `hint-flushes`: a user with at least one
 * device whose trailing sync hint comes due (each device item says when, `flushAt`). Sent with
 * SQS's delay, at most 15 minutes, so a longer wait takes more than one hop.
 */
export const hintFlushSchema = z.strictObject({
  userId: z.string(),
  flush: z.literal(true),
});

export type HintFlush = z.infer<typeof hintFlushSchema>;
