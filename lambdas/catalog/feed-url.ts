import { createHash } from 'node:crypto';

/**
 * Feed and enclosure URLs as podcast apps spell them, made one: gpodder's sanitizing, kept
 * small (docs/PODCASTS.md, "Feed URLs"). Trim; `feed:`, `itpc:`, `itms:`, `pcast:` and
 * `podcast:` mean http (or name the http(s) URL after them); no scheme means http; only http
 * and https are kept; scheme and host in lower case, userinfo, fragment and default ports
 * dropped, an empty path made `/`, a lone `?` dropped. Nothing is percent-escaped but
 * non-ASCII: private feeds carry tokens in the query, which stays exactly as sent.
 */
export const MAX_FEED_URL_LENGTH = 2048;
/** Shorter than `http://a` cannot name a feed (gpodder refuses under eight characters too). */
const MIN_URL_LENGTH = 8;
const PODCAST_SCHEMES = /^(feed|itpc|itms|pcast|podcast):(\/\/)?/i;
const PODCAST_SCHEME_BEFORE_URL = /^(feed|itpc|itms|pcast|podcast):https?:\/\//i;

/** The normalized URL, or undefined when the text cannot be an http(s) feed or enclosure URL. */
export function normalizeFeedUrl(raw: string): string | undefined {
  let text = raw.trim();
  if (text.length < MIN_URL_LENGTH || text.length > MAX_FEED_URL_LENGTH) return undefined;
  text = PODCAST_SCHEME_BEFORE_URL.test(text) ? text.slice(text.indexOf(':') + 1) : text.replace(PODCAST_SCHEMES, 'http://');
  if (!/^[a-z][a-z0-9+.-]*:/i.test(text)) text = `http://${text}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') return undefined;
  url.username = '';
  url.password = '';
  url.hash = '';
  // WHATWG URL has already lower-cased scheme and host, dropped a default port, made an empty path `/` and escaped non-ASCII.
  let normalized = url.href;
  if (normalized.endsWith('?')) normalized = normalized.slice(0, -1);
  return normalized.length > MAX_FEED_URL_LENGTH ? undefined : normalized;
}

/**
 * What names a normalized URL in keys and logs: its SHA-256 (the URL may hold a private feed's
 * token), without the scheme, so that http and https spellings of one feed are one.
 */
export function feedUrlKey(normalized: string): string {
  return createHash('sha256').update(normalized.replace(/^https?:\/\//, '')).digest('base64url');
}
