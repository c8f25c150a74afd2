import * as z from 'zod';

/**
 * The message on the `changes` queue: at most one per user per stream batch, saying that the
 * user's feed has moved on to `seq` and which synced types changed. Enough for a push service
 * to wake the user's other devices, which then pull the feed; values stay in the table.
 */
export const changeNoticeSchema = z.strictObject({
  userId: z.string(),
  /** The user's feed head after the batch: a device holding a cursor at or past it has everything. */
  seq: z.number().int(),
  /** The distinct synced types that changed, in name order. */
  types: z.array(z.string()).min(1),
});

export type ChangeNotice = z.infer<typeof changeNoticeSchema>;

/**
 * Types whose changes alone never wake a device: progress is written every few seconds while
 * something plays, and a device learns it when it next syncs. A batch in which a user changed
 * only these sends that user no notice (at one write per batch, a notice would be a third of
 * the write's queue and Lambda bill, docs/BENCHMARKS.md); with other changes, they are named.
 */
export const QUIET_TYPES: ReadonlySet<string> = new Set(['progress']);

/** One notice per user for the entries one batch wrote, on that user's last change in the batch. */
export function changeNoticesFor(written: readonly { changeIndex: number; userId: string; entry: { seq: number; type: string } }[]): { changeIndex: number; body: ChangeNotice }[] {
  const byUser = new Map<string, { changeIndex: number; seq: number; types: Set<string> }>();
  for (const { changeIndex, userId, entry } of written) {
    const notice = byUser.get(userId) ?? { changeIndex, seq: entry.seq, types: new Set<string>() };
    notice.changeIndex = Math.max(notice.changeIndex, changeIndex);
    notice.seq = Math.max(notice.seq, entry.seq);
    notice.types.add(entry.type);
    byUser.set(userId, notice);
  }
  return [...byUser]
    .filter(([, { types }]) => [...types].some((type) => !QUIET_TYPES.has(type)))
    .map(([userId, { changeIndex, seq, types }]) => ({ changeIndex, body: { userId, seq, types: [...types].sort() } }));
}
