import * as z from 'zod';
import type { ItemChange } from './item-change';
import { PROGRESS_ENTITY, progressItemSchema } from '../progress/progress-item';
import { WATCHLIST_ENTITY, watchlistItemSchema } from '../watchlist/watchlist-item';

/**
 * The analytics events the BI team reads from SQS. They name titles, never people: no user
 * id leaves the table. `eventId` is stable across redelivery of the same table change, so
 * consumers can drop duplicates.
 */
const common = { assetId: z.string(), eventId: z.string(), occurredAt: z.string() };

export const analyticsEventSchema = z.discriminatedUnion('event', [
  z.object({ event: z.literal('added-to-watchlist'), ...common }),
  z.object({ event: z.literal('removed-from-watchlist'), ...common }),
  z.object({ event: z.literal('viewed'), ...common, oldProgress: z.number().int(), newProgress: z.number().int() }),
]);

export type AnalyticsEvent = z.infer<typeof analyticsEventSchema>;

/**
 * Decides from the old and new images whether something really changed: a repeated add, a
 * removal of an absent title, progress that stays or goes back, and a progress delete send
 * nothing.
 */
export function analyticsEventsFor(change: ItemChange): AnalyticsEvent[] {
  const entity = (change.newImage ?? change.oldImage)?.entity;
  const base = { eventId: change.changeId, occurredAt: change.occurredAt };
  if (entity === WATCHLIST_ENTITY) {
    const before = change.oldImage && watchlistItemSchema.parse(change.oldImage);
    const after = change.newImage && watchlistItemSchema.parse(change.newImage);
    if (!before && after) return [{ event: 'added-to-watchlist', assetId: after.assetId, ...base, occurredAt: after.addedAt }];
    if (before && !after) return [{ event: 'removed-from-watchlist', assetId: before.assetId, ...base }];
    return [];
  }
  if (entity === PROGRESS_ENTITY) {
    const after = change.newImage && progressItemSchema.parse(change.newImage);
    if (!after) return [];
    const oldProgress = change.oldImage ? progressItemSchema.parse(change.oldImage).progress : 0;
    if (after.progress <= oldProgress) return [];
    return [{ event: 'viewed', assetId: after.assetId, oldProgress, newProgress: after.progress, ...base, occurredAt: after.updatedAt }];
  }
  return [];
}
