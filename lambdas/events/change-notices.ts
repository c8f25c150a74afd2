import * as z from 'zod';

/**
 * The message on the `changes` queue for every feed entry: enough for a push service to wake
 * the user's other devices, which then pull the feed. Values stay in the table.
 */
export const changeNoticeSchema = z.object({
  userId: z.string(),
  seq: z.number().int(),
  type: z.string(),
  key: z.string(),
  op: z.enum(['upsert', 'delete']),
});

export type ChangeNotice = z.infer<typeof changeNoticeSchema>;
