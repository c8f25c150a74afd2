import { RETRY, retryOptimistic } from '../shared/table-access';
import type { UploadedAction } from './episode-action-input';
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
/** gPodder and AntennaPod count an episode as played this close to its end. */
export const FINISHED_WITHIN_SECONDS = 30;

export const isFinishedPlay = (play: PlayState): boolean =>
  play.position === undefined || (play.total !== undefined && play.position >= play.total - FINISHED_WITHIN_SECONDS);

/** The state after one action; the same object when the action changes nothing. */
function merge(state: EpisodeState, action: UploadedAction, nowMs: number): EpisodeState {
  let next = state;
  if (action.guid !== undefined && action.guid !== state.guid) next = { ...next, guid: action.guid };
  if (action.action === 'play') {
    if (state.play === undefined || action.at >= state.play.at) {
      const play: PlayState = {
        at: action.at,
        ...(action.started !== undefined ? { started: action.started } : {}),
        ...(action.position !== undefined ? { position: action.position } : {}),
        ...(action.total !== undefined ? { total: action.total } : {}),
        ...(action.device !== undefined ? { device: action.device } : {}),
      };
      if (JSON.stringify(play) !== JSON.stringify(state.play)) next = { ...next, play };
    }
  } else if (state.other === undefined || action.at >= state.other.at) {
    const other = { action: action.action, at: action.at, ...(action.device ? { device: action.device } : {}) };
    if (JSON.stringify(other) !== JSON.stringify(state.other)) next = { ...next, other };
  }
  return next === state ? state : { ...next, changedAt: nowMs };
}

/** Records an upload; each episode's actions are merged in the order sent, with retries when another upload wrote the same episode in between. */
export async function recordActions(userId: string, actions: readonly UploadedAction[], nowMs: number): Promise<void> {
  const byKey = new Map<string, UploadedAction[]>();
  for (const action of actions) byKey.set(action.key, [...(byKey.get(action.key) ?? []), action]);
  let pending = [...byKey.keys()];
  await retryOptimistic('recording gpodder episode actions', WRITE_ROUNDS, async () => {
    const stored = await episodeStates(userId, pending);
    const collided: string[] = [];
    await Promise.all(
      pending.map(async (key) => {
        const group = byKey.get(key) as UploadedAction[];
        const first = group[0] as UploadedAction;
        const before = stored.get(key);
        const base: EpisodeState = before ?? { key, podcast: first.podcast, episode: first.episode, changedAt: nowMs, version: 0 };
        let state = base;
        for (const action of group) state = merge(state, action, nowMs);
        if (state === before) return;
        if (!(await putEpisodeState(userId, { ...state, version: base.version + 1 }, before?.version))) collided.push(key);
      }),
    );
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
  const states = await episodeStatesChangedSince(userId, from);
  const podcastKey = podcast === undefined ? undefined : urlKey(sanitizeUrl(podcast));
  return states
    .filter((s) => podcastKey === undefined || urlKey(s.podcast) === podcastKey)
    .sort((a, b) => a.changedAt - b.changedAt)
    .flatMap(actionsOf);
}
