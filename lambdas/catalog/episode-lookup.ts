import { HttpProblem } from '../shared/problem';
import { type Episode, getEpisode } from './episode-store';

/** The episode at `/shows/{showId}/episodes/{episodeId}`: an episode of another show is not found here. */
export async function episodeOfShow(showId: string, episodeId: string): Promise<Episode> {
  const episode = await getEpisode(episodeId);
  if (episode === undefined || episode.showId !== showId) throw new HttpProblem('episode-not-found', `Show ${showId} has no episode ${episodeId}.`);
  return episode;
}
