import { mapConcurrently } from '../shared/concurrency';
import { RETRY, retryOptimistic } from '../shared/table-access';
import type { UploadedAction } from './episode-action-input';
import { catalogEpisodeStateKey, episodeMatcher, isFinishedPlay, type MatchedEpisode, playInQueue, queuePlays } from './episode-links';
import { type EpisodeState, episodeStates, episodeStatesChangedSince, type PlayState, putEpisodeState } from './episode-action-store';
import { formatActionTime, windowStartMs } from './gpodder-time';
import { sanitizeUrl, urlKey } from './gpodder-urls';

/**
 * What episode actions do. Per episode the newest play wins by its (clamped) client time, so
 * a late upload of an old play never moves a position back; a `download`, `delete` or `new`
 * is kept apart from the play and only relayed. Reads select by when Playhead recorded a
 * change, never by the client's time, so a late upload still reaches devices that synced
 * after it was made.
 */

const WRITE_ROUNDS = 8;
/** Episodes of one upload looked up and written at once: gPodder sends 100 actions a batch. */
const MATCH_CONCURRENCY = 16;
/** The state after one action; the same object when the action changes nothing. */
function merge(state: EpisodeState, action: UploadedAction, nowMs: number): EpisodeState {
  let next = state;
  if (action.guid !== undefined && action.guid !== state.guid) next = { ...next, guid: action.guid };
  if (action.action === 'play') {
    // Strictly newer, as the queue's own rule: of two plays at one second, the first recorded stands.
    if (state.play === undefined || action.at > state.play.at) {
      const play: PlayState = {
        at: action.at,
        ...(action.started !== undefined ? { started: action.started } : {}),
        ...(action.position !== undefined ? { position: action.position } : {}),
        ...(action.total !== undefined ? { total: action.total } : {}),
        ...(action.device !== undefined ? { device: action.device } : {}),
      };
      if (JSON.stringify(play) !== JSON.stringify(state.play)) next = { ...next, play };
    }
  } else if (state.other === undefined || action.at > state.other.at) {
    const other = { action: action.action, at: action.at, ...(action.device ? { device: action.device } : {}) };
    if (JSON.stringify(other) !== JSON.stringify(state.other)) next = { ...next, other };
  }
  return next === state ? state : { ...next, changedAt: nowMs };
}

/**
 * Records an upload. A catalog episode's actions are kept under the episode (whatever URL the
 * app knows it by, a tracking redirect or an older CDN), others under their URLs; each
 * episode's actions are merged in the order sent, with retries when another upload wrote the
 * same episode in between.
 */
export async function recordActions(userId: string, actions: readonly UploadedAction[], nowMs: number): Promise<void> {
  const byUrl = new Map<string, UploadedAction[]>();
  for (const action of actions) byUrl.set(action.key, [...(byUrl.get(action.key) ?? []), action]);
  const match = episodeMatcher();
  const matched = await mapConcurrently([...byUrl.values()], MATCH_CONCURRENCY, async (group) => {
    const first = group[0] as UploadedAction;
    return { group, episode: await match(first.podcast, first.episode, group.findLast((a) => a.guid !== undefined)?.guid) };
  });
  const byKey = new Map<string, { actions: UploadedAction[]; episode: MatchedEpisode | undefined }>();
  for (const { group, episode } of matched) {
    const key = episode === undefined ? (group[0] as UploadedAction).key : catalogEpisodeStateKey(episode.episodeId);
    const entry = byKey.get(key) ?? { actions: [], episode };
    entry.actions.push(...group);
    byKey.set(key, entry);
  }
  let pending = [...byKey.keys()];
  await retryOptimistic('recording gpodder episode actions', WRITE_ROUNDS, async () => {
    const stored = await episodeStates(userId, pending);
    const collided: string[] = [];
    await mapConcurrently(pending, MATCH_CONCURRENCY, async (key) => {
      const { actions: group, episode } = byKey.get(key) as { actions: UploadedAction[]; episode: MatchedEpisode | undefined };
      const first = group[0] as UploadedAction;
      const before = stored.get(key);
      const base: EpisodeState = before ?? { key, podcast: first.podcast, episode: first.episode, changedAt: nowMs, version: 0, ...(episode ? { episodeId: episode.episodeId } : {}) };
      let state = base;
      for (const action of group) state = merge(state, action, nowMs);
      if (state === before) return;
      // The queue first: a retried upload finds this state written and the queue already right.
      if (episode !== undefined && state.play !== undefined && state.play !== before?.play) await playInQueue(userId, episode, state.play, nowMs);
      if (!(await putEpisodeState(userId, { ...state, version: base.version + 1 }, before?.version))) collided.push(key);
    });
    pending = collided;
    return collided.length === 0 ? undefined : RETRY;
  });
}

/** One action as gpodder clients parse it: a lower-case action name, a zone-less UTC time, position fields only on a play and only with a position. */
export interface ActionOut {
  podcast: string;
  episode: string;
  action: string;
  timestamp: string;
  guid?: string;
  device?: string;
  started?: number;
  position?: number;
  total?: number;
}

function actionsOf(state: EpisodeState): ActionOut[] {
  const common = { podcast: state.podcast, episode: state.episode, ...(state.guid ? { guid: state.guid } : {}) };
  const out: ActionOut[] = [];
  if (state.other) out.push({ ...common, action: state.other.action, timestamp: formatActionTime(state.other.at), ...(state.other.device ? { device: state.other.device } : {}) });
  if (state.play) {
    const { at, device, started, position, total } = state.play;
    const positions = position === undefined ? {} : { started: started ?? 0, position, ...(total !== undefined ? { total } : {}) };
    out.push({ ...common, action: 'play', timestamp: formatActionTime(at), ...(device ? { device } : {}), ...positions });
  }
  return out;
}

/**
 * Takes in Playhead-side plays (a queue entry finished or its playback position moved since
 * the window began) as `play` actions, then reads every episode changed in the window.
 */
export async function episodeActionsSince(userId: string, since: number, nowMs: number, podcast: string | undefined): Promise<ActionOut[]> {
  const from = windowStartMs(since);
  const projected = await queuePlays(userId, from);
  if (projected.length > 0) {
    const stored = await episodeStates(
      userId,
      projected.map((p) => p.key),
    );
    await Promise.all(
      projected.map(async (p) => {
        const before = stored.get(p.key);
        // The gpodder client's own play (or a newer one) is already there: nothing to relay back.
        if (before?.play && (before.play.at >= p.play.at || samePlay(before.play, p.play))) return;
        const state: EpisodeState = {
          ...(before ?? { key: p.key, podcast: p.podcast, episode: p.episode, version: 0 }),
          ...(p.guid && !before?.guid ? { guid: p.guid } : {}),
          episodeId: p.episodeId,
          play: p.play,
          changedAt: nowMs,
          version: (before?.version ?? 0) + 1,
        };
        // Lost to a concurrent upload: that upload's play is the newer news, and the next read looks again.
        await putEpisodeState(userId, state, before?.version);
      }),
    );
  }
  const states = await episodeStatesChangedSince(userId, from);
  const podcastKey = podcast === undefined ? undefined : urlKey(sanitizeUrl(podcast));
  return states
    .filter((s) => podcastKey === undefined || urlKey(s.podcast) === podcastKey)
    .sort((a, b) => a.changedAt - b.changedAt)
    .flatMap(actionsOf);
}

/** Plays that say the same: both at the end, or at one position. */
function samePlay(a: PlayState, b: PlayState): boolean {
  const total = b.total ?? a.total ?? 0;
  if (isFinishedPlay(a, total) && isFinishedPlay(b, total)) return true;
  return a.position === b.position;
}
