import { requireShow } from '../catalog/show-rules';
import { getShow } from '../catalog/show-store';
import type { Alongside } from '../shared/atomic-writes';
import type { Favourite } from './favourite-item';
import { addFavourite } from './favourite-store';

/** Only a show that exists and is not deleted can be followed. */
export async function followShow(userId: string, showId: string, now: string, alongside?: Alongside<Favourite>): Promise<Favourite> {
  requireShow(await getShow(showId), showId, 'live');
  return addFavourite(userId, showId, now, alongside);
}
