import { DEVICE_ID } from './gpodder-paths';
import { parseActionTime } from './gpodder-time';
import { sanitizeUrl, urlKey } from './gpodder-urls';
import type { UrlRewrite } from './subscription-rules';

/**
 * Reading uploaded episode actions the way apps send them: any case of the action name, ISO
 * times with or without a fraction or zone (or none: now), unknown keys. An element that
 * cannot be used (no feed or episode URL, an unknown action) is skipped rather than failing
 * the batch: a 400 keeps the batch queued in AntennaPod and gPodder, and they retry it for ever.
 */

export const ACTIONS = ['download', 'play', 'delete', 'new'] as const;
export type ActionName = (typeof ACTIONS)[number];
const MAX_GUID_LENGTH = 1024;

export interface UploadedAction {
  key: string;
  podcast: string;
  episode: string;
  action: ActionName;
  at: number;
  guid?: string;
  device?: string;
  started?: number;
  position?: number;
  total?: number;
}

const seconds = (value: unknown): number | undefined => (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < 2 ** 31 ? value : undefined);

export const episodeStateKey = (podcastUrl: string, episodeUrl: string): string => urlKey(`${urlKey(podcastUrl)} ${urlKey(episodeUrl)}`);

export function readUploadedActions(elements: readonly unknown[], nowMs: number, rewrites: UrlRewrite[]): UploadedAction[] {
  const out: UploadedAction[] = [];
  const rewritten = new Set<string>();
  const sanitize = (original: string): string => {
    const url = sanitizeUrl(original);
    if (url !== original && !rewritten.has(original)) {
      rewritten.add(original);
      rewrites.push([original, url]);
    }
    return url;
  };
  for (const element of elements) {
    if (typeof element !== 'object' || element === null || Array.isArray(element)) continue;
    const raw = element as Record<string, unknown>;
    if (typeof raw.podcast !== 'string' || typeof raw.episode !== 'string' || typeof raw.action !== 'string') continue;
    const action = raw.action.toLowerCase() as ActionName;
    if (!ACTIONS.includes(action)) continue;
    const podcast = sanitize(raw.podcast);
    const episode = sanitize(raw.episode);
    if (podcast === '' || episode === '') continue;
    const at = raw.timestamp === undefined || raw.timestamp === null ? Math.floor(nowMs / 1000) * 1000 : parseActionTime(raw.timestamp, nowMs);
    if (at === undefined) continue;
    const parsed: UploadedAction = { key: episodeStateKey(podcast, episode), podcast, episode, action, at };
    if (typeof raw.guid === 'string' && raw.guid.trim() !== '' && raw.guid.length <= MAX_GUID_LENGTH) parsed.guid = raw.guid.trim();
    if (typeof raw.device === 'string' && DEVICE_ID.test(raw.device)) parsed.device = raw.device;
    if (action === 'play') {
      // A play whose position is missing or negative (AntennaPod sends -1s) is a play without a position: "played".
      const position = seconds(raw.position);
      if (position !== undefined) {
        parsed.position = position;
        const started = seconds(raw.started);
        const total = seconds(raw.total);
        if (started !== undefined) parsed.started = started;
        if (total !== undefined && total > 0) parsed.total = total;
      }
    }
    out.push(parsed);
  }
  return out;
}
