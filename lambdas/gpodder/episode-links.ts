import { findEpisodeForGpodder, getEpisode } from '../catalog/episode-store';
import { findShowIdByFeedUrl, getShow } from '../catalog/show-store';
import { applyPlayback } from '../queue/queue-rules';
import { queueItemsInStates } from '../queue/queue-store';
import type { QueueItem } from '../queue/queue-item';
import type { PlayState } from './episode-action-store';
import { sanitizeUrl } from './gpodder-urls';

/**
 * Where gpodder episode actions meet Playhead's queue. A play of a catalog episode (found by
 * guid within the feed's show, else by enclosure URL) sets its queue entry through the queue's
 * own rule (`applyPlayback`, newest play wins); Playhead-side plays (a finished entry, a
 * playback position) are read back from the queue when an app next reads, so the stream
 * router, at its bundle budget, carries nothing for gpodder.
 */

/** gPodder and AntennaPod count an episode as played this close to its end. */
export const FINISHED_WITHIN_SECONDS = 30;

export interface MatchedEpisode {
  episodeId: string;
  durationSeconds: number;
}

/** The state key of a catalog episode: one per episode, whatever URLs apps know it by. */
export const catalogEpisodeStateKey = (episodeId: string): string => `episode:${episodeId}`;

/**
 * Finds the catalog episode an action names (by guid within the feed's show, else by enclosure
 * URL); each feed is looked up once per matcher, since an upload names few feeds many times.
 */
export function episodeMatcher(): (podcast: string, episode: string, guid: string | undefined) => Promise<MatchedEpisode | undefined> {
  const shows = new Map<string, Promise<string | undefined>>();
  return async (podcast, episode, guid) => {
    let showId = shows.get(podcast);
    if (showId === undefined) {
      showId = findShowIdByFeedUrl(podcast);
      shows.set(podcast, showId);
    }
    const show = await showId;
    if (show === undefined) return undefined;
    const found = await findEpisodeForGpodder({ showId: show, guid, audioUrl: episode });
    return found === undefined ? undefined : { episodeId: found.episodeId, durationSeconds: found.durationSeconds };
  };
}

/** A play without a position is gPodder's "mark played". */
export const isFinishedPlay = (play: Pick<PlayState, 'position' | 'total'>, durationSeconds: number): boolean =>
  play.position === undefined || play.position >= (play.total ?? durationSeconds) - FINISHED_WITHIN_SECONDS;

export async function playInQueue(userId: string, matched: MatchedEpisode, play: PlayState, nowMs: number): Promise<void> {
  const finished = isFinishedPlay(play, matched.durationSeconds);
  await applyPlayback(
    userId,
    matched.episodeId,
    { playbackSeconds: play.position ?? matched.durationSeconds, at: new Date(play.at).toISOString(), finished },
    new Date(nowMs).toISOString(),
  );
}

export interface QueuePlay {
  key: string;
  podcast: string;
  episode: string;
  guid?: string;
  episodeId: string;
  play: PlayState;
}

/** The play a queue entry stands for: finished is the end, else its playback position; none for an entry never played. */
function playOf(item: QueueItem): PlayState | undefined {
  const total = item.episode.durationSeconds;
  const at = Math.max(Date.parse(item.updatedAt), item.playbackAt === undefined ? 0 : Date.parse(item.playbackAt));
  // AntennaPod takes a position only when position and total are above 0.
  if (item.state === 'finished') return total > 0 ? { at, started: 0, position: total, total } : { at };
  if (item.playbackSeconds !== undefined && item.playbackSeconds > 0 && total > 0) return { at, started: 0, position: item.playbackSeconds, total };
  return undefined;
}

/** Queue entries of shows with a feed URL changed at or after `fromMs`, as gpodder plays. */
export async function queuePlays(userId: string, fromMs: number): Promise<QueuePlay[]> {
  const items = (await queueItemsInStates(userId, ['queued', 'playing', 'finished'])).filter((item) => Date.parse(item.updatedAt) >= fromMs);
  const feeds = new Map<string, Promise<string | undefined>>();
  const feedOf = (showId: string) => {
    let feed = feeds.get(showId);
    if (feed === undefined) {
      feed = getShow(showId).then((show) => (show?.feedUrl === undefined || show.deletedAt !== undefined ? undefined : sanitizeUrl(show.feedUrl) || undefined));
      feeds.set(showId, feed);
    }
    return feed;
  };
  const plays = await Promise.all(
    items.map(async (item): Promise<QueuePlay | undefined> => {
      const play = playOf(item);
      if (play === undefined) return undefined;
      const podcast = await feedOf(item.showId);
      const episode = sanitizeUrl(item.episode.audioUrl);
      if (podcast === undefined || episode === '') return undefined;
      const guid = (await getEpisode(item.episodeId))?.guid;
      return { key: catalogEpisodeStateKey(item.episodeId), podcast, episode, episodeId: item.episodeId, play, ...(guid ? { guid } : {}) };
    }),
  );
  return plays.filter((p): p is QueuePlay => p !== undefined);
}
