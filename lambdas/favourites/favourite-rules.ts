import { getShow } from '../catalog/show-store';
import type { Alongside } from '../shared/atomic-writes';
import { HttpProblem } from '../shared/problem';
import type { Favourite } from './favourite-item';
import { addFavourite } from './favourite-store';

/** Only a show that exists and is not deleted can be followed. */
export async function followShow(userId: string, showId: string, now: string, alongside?: Alongside<Favourite>): Promise<Favourite> {
  const show = await getShow(showId);
  if (show === undefined || show.deletedAt !== undefined) throw new HttpProblem('show-not-found', `There is no show ${showId}.`);
  return addFavourite(userId, showId, now, alongside);
}
