import { HttpProblem } from '../shared/problem';
import type { Episode } from './episode-store';

/**
 * The episode at `/shows/{showId}/episodes/{episodeId}`, as `readEpisode` finds it: an episode
 * of another show is not found here.
 */
export async function episodeOfShow(readEpisode: (episodeId: string) => Promise<Episode | undefined>, showId: string, episodeId: string): Promise<Episode> {
  const episode = await readEpisode(episodeId);
  if (episode === undefined || episode.showId !== showId) throw new HttpProblem('episode-not-found', `Show ${showId} has no episode ${episodeId}.`);
  return episode;
}
