import * as z from 'zod';
import { userPartitionKey } from '../shared/keys';

/** A show the user follows: `USER#<userId>` / `FAVOURITE#<showId>`. Pure item shape and keys. */
export const FAVOURITE_ENTITY = 'favourite';
export const FAVOURITE_SORT_PREFIX = 'FAVOURITE#';

export const favouriteItemSchema = z.object({
  entity: z.literal(FAVOURITE_ENTITY),
  showId: z.string(),
  addedAt: z.string(),
});

export interface Favourite {
  show: string;
  addedAt: string;
}

export const favouriteKey = (userId: string, showId: string) => ({ PK: userPartitionKey(userId), SK: `${FAVOURITE_SORT_PREFIX}${showId}` });

export const isFavouriteSortKey = (sortKey: string): boolean => sortKey.startsWith(FAVOURITE_SORT_PREFIX);

export function favouriteFromItem(item: Record<string, unknown>): Favourite {
  const parsed = favouriteItemSchema.parse(item);
  return { show: parsed.showId, addedAt: parsed.addedAt };
}
