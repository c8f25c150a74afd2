import { type Episode, getEpisode } from '../catalog/episode-store';
import { type Alongside, writeTogether } from '../shared/atomic-writes';
import { HttpProblem } from '../shared/problem';
import { RETRY, retryOptimistic } from '../shared/table-access';
import { episodeCopyOf, holderIndexAttributes, isActiveState, type QueueEntry, queueEntryFromItem, QUEUE_ENTITY, type QueueItem, type QueueState } from './queue-item';
import { getQueueItem, replaceQueueItem } from './queue-store';

export interface QueueChange {
  /** Sort number; without one, an entry that (re)joins the queue goes to its end. */
  position?: number | undefined;
  /** Without one: queued, or the current state if the entry is already queued or playing. */
  state?: QueueState | undefined;
  /** PUT adds an episode that is not in the queue; PATCH and DELETE only change existing entries. */
  add: boolean;
  /** A playback position and when it was so; it replaces the stored one only if newer. */
  playback?: Playback | undefined;
}

export interface Playback {
  /** Whole seconds into the episode. */
  seconds: number;
  /** When playback was there (ISO 8601): the server's time, or a podcast app's clamped to it. */
  at: string;
  /** Beyond the episode's end: true clamps to the duration (an app's report), false refuses (a request). */
  clamp?: boolean;
  /** A play older than the stored position drops the whole change (its state too), not only the position. */
  wholeChange?: boolean;
}

/** Optimistic writes retry this often when another device changes the same entry at the same moment. */
const MAX_ATTEMPTS = 5;

/**
 * The one way a queue entry changes (PUT, PATCH, DELETE and sync pushes). Only an episode that
 * is published can (re)join the queue; a change that changes nothing writes nothing, so devices
 * see no change in their feed.
 */
export async function changeQueueEntry(userId: string, episodeId: string, change: QueueChange, now: string, alongside?: Alongside<QueueEntry>): Promise<QueueEntry> {
  return retryOptimistic(`changing queue entry ${episodeId}`, MAX_ATTEMPTS, async () => {
    const current = await getQueueItem(userId, episodeId);
    if (current === undefined && !change.add) throw new HttpProblem('queue-entry-not-found', `Episode ${episodeId} is not in your queue.`);
    if (current !== undefined && change.playback?.wholeChange && current.playbackAt !== undefined && change.playback.at <= current.playbackAt) {
      const unchanged = queueEntryFromItem(current);
      await writeTogether([], alongside?.(unchanged));
      return unchanged;
    }
    // Without a state, PUT and pushes (re)join the queue; a PATCH keeps the entry's own.
    const state = change.state ?? (current && (isActiveState(current.state) || !change.add) ? current.state : 'queued');
    const joining = isActiveState(state) && (current === undefined || !isActiveState(current.state));
    // A new entry, even one that starts finished or removed (a device's offline change), copies its episode.
    const episode = joining || current === undefined ? await publishedEpisode(episodeId, now) : undefined;
    const position = change.position ?? (joining || current === undefined ? Date.parse(now) : current.position);
    const playback = nextPlayback(current, change.playback, episode?.durationSeconds ?? current?.episode.durationSeconds ?? 0);
    if (current !== undefined && episode === undefined && current.state === state && current.position === position && playback === undefined) {
      const unchanged = queueEntryFromItem(current);
      await writeTogether([], alongside?.(unchanged));
      return unchanged;
    }

    const next = { ...nextItem(current, episode, episodeId, state, position, now), ...playback };
    const index = isActiveState(state) ? holderIndexAttributes(userId, episodeId) : undefined;
    const entry = queueEntryFromItem(next);
    return (await replaceQueueItem(userId, next, index, current, alongside?.(entry))) ? entry : RETRY;
  });
}

/**
 * The playback position to store, or undefined when the change brings none, or one no newer
 * than the stored one: the newest report wins, whatever order reports arrive in.
 */
function nextPlayback(current: QueueItem | undefined, playback: Playback | undefined, durationSeconds: number): { playbackSeconds: number; playbackAt: string } | undefined {
  if (playback === undefined) return undefined;
  if (current?.playbackAt !== undefined && playback.at <= current.playbackAt) return undefined;
  if (playback.seconds > durationSeconds && !playback.clamp) {
    throw new HttpProblem('validation-failed', `The episode is ${durationSeconds} s long.`, {
      errors: [{ field: 'body.playbackSeconds', message: `must be at most the episode's duration (${durationSeconds})` }],
    });
  }
  const seconds = Math.min(Math.max(0, Math.round(playback.seconds)), durationSeconds);
  if (current?.playbackSeconds === seconds && current.playbackAt === playback.at) return undefined;
  return { playbackSeconds: seconds, playbackAt: playback.at };
}

async function publishedEpisode(episodeId: string, now: string): Promise<Episode> {
  const episode = await getEpisode(episodeId, true);
  if (episode === undefined || episode.deletedAt !== undefined || episode.publishedAt > now) {
    throw new HttpProblem('episode-not-found', `There is no published episode ${episodeId}.`);
  }
  return episode;
}

/** A new entry, or the current one moved or in a new state; joining copies the episode afresh. */
function nextItem(current: QueueItem | undefined, episode: Episode | undefined, episodeId: string, state: QueueState, position: number, now: string): QueueItem {
  if (episode !== undefined) {
    return {
      entity: QUEUE_ENTITY,
      episodeId,
      showId: episode.showId,
      position,
      state,
      addedAt: current?.addedAt ?? now,
      updatedAt: now,
      episode: episodeCopyOf(episode),
      contentUpdatedAt: episode.updatedAt,
    };
  }
  if (current === undefined) throw new Error('a new queue entry needs its episode');
  return { ...current, position, state, updatedAt: now };
}

export type PlaybackOutcome = { applied: true; entry: QueueEntry } | { applied: false; reason: 'older' | 'no-episode' };

/**
 * A play reported by a podcast app (gpodder's `play` action): the entry, added at the end of
 * the queue if absent, is `playing` at that position, or `finished`; all of it only if the play
 * is newer than the stored position, so a late upload of an old play changes nothing. A
 * position past the end counts as the end. `no-episode` when the episode is not published.
 */
export async function applyPlayback(userId: string, episodeId: string, play: { playbackSeconds: number; at: string; finished: boolean }, now: string): Promise<PlaybackOutcome> {
  const current = await getQueueItem(userId, episodeId);
  if (current?.playbackAt !== undefined && play.at <= current.playbackAt) return { applied: false, reason: 'older' };
  try {
    const entry = await changeQueueEntry(
      userId,
      episodeId,
      { state: play.finished ? 'finished' : 'playing', add: true, playback: { seconds: play.playbackSeconds, at: play.at, clamp: true, wholeChange: true } },
      now,
    );
    // A newer position written in between wins; this play then changed nothing.
    return entry.playbackAt === play.at ? { applied: true, entry } : { applied: false, reason: 'older' };
  } catch (error) {
    if (error instanceof HttpProblem && error.slug === 'episode-not-found') return { applied: false, reason: 'no-episode' };
    throw error;
  }
}

/** A queue entry written by a fetch: new, queued, at the given position. */
export function fetchedQueueItem(episode: Episode, position: number, now: string): QueueItem {
  return nextItem(undefined, episode, episode.episodeId, 'queued', position, now);
}
