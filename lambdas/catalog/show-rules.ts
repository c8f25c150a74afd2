import { HttpProblem } from '../shared/problem';
import type { Show } from './show-store';

/**
 * The one "no such show" rule. Readers see a deleted show (with `deletedAt`, so clients learn
 * of the deletion); anything that adds to a show (an episode, a follower) needs a live one.
 */
export function requireShow(show: Show | undefined, showId: string, need: 'exists' | 'live' = 'exists'): Show {
  if (show === undefined || (need === 'live' && show.deletedAt !== undefined)) throw new HttpProblem('show-not-found', `There is no show ${showId}.`);
  return show;
}
