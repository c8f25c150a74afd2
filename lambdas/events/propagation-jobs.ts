import * as z from 'zod';
import { contentKeyOfItem } from '../catalog/content-keys';
import type { ItemChange } from './item-change';

/**
 * A message on the `propagation` work queue: catalog item `key` changed (its `updatedAt` is
 * now `updatedAt`), and its holders from `after` on (a GSI1 position; none: from the start)
 * still need the news.
 */
export const propagationJobSchema = z.strictObject({
  key: z.string(),
  updatedAt: z.string(),
  after: z.record(z.string(), z.string()).optional(),
  /**
   * 2 on the second sweep, a minute after the first: it catches a holder the index did not yet
   * show the first time (a copy taken at the moment of the edit). Holders already current cost
   * only the index read.
   */
  sweep: z.literal(2).optional(),
});

export type PropagationJob = z.infer<typeof propagationJobSchema>;

/**
 * An edit or (soft) deletion of catalog content that may have holders. A new item has none
 * yet: whoever copies it later copies it as it is then.
 */
export function propagationJobFor(change: ItemChange): PropagationJob | undefined {
  const { oldImage, newImage } = change;
  if (oldImage === undefined || newImage === undefined) return undefined;
  const key = contentKeyOfItem(newImage);
  if (key === undefined || typeof newImage.updatedAt !== 'string' || newImage.updatedAt === oldImage.updatedAt) return undefined;
  return { key, updatedAt: newImage.updatedAt };
}
