import { requireShow } from '../catalog/show-rules';
import { getShow, type Show } from '../catalog/show-store';
import type { Alongside } from '../shared/atomic-writes';
import type { Favourite } from './favourite-item';
import { addFavourite } from './favourite-store';

/**
 * Only a show that exists and is not deleted can be followed, as `readShow` finds it: the table
 * unless the caller passes another read (the route passes the catalog reader's).
 */
export async function followShow(
  userId: string,
  showId: string,
  now: string,
  alongside?: Alongside<Favourite>,
  readShow: (showId: string) => Promise<Show | undefined> = getShow,
): Promise<Favourite> {
  requireShow(await readShow(showId), showId, 'live');
  return addFavourite(userId, showId, now, alongside);
}
