import { createHash } from 'node:crypto';

/**
 * gpodder's URL sanitizing, kept small: what clients send for one feed (or one episode) in
 * different spellings becomes one URL, and each rewrite is reported back in `update_urls` so
 * gPodder renames its channel. Unlike gpodder.net, nothing is percent-escaped but non-ASCII
 * (private feeds carry tokens in the query, and AntennaPod unescapes `%3A` anyway), and there
 * is no shortcut expansion (`yt:`, `fb:`).
 */

export const MAX_URL_LENGTH = 2048;
const FEED_SCHEMES = /^(feed|itpc|itms|pcast|podcast):(\/\/)?/i;

/** The sanitized URL, or '' when it cannot be one (gpodder's answer for a rejected URL). */
export function sanitizeUrl(raw: string): string {
  let text = raw.trim();
  if (text.length < 8 || text.length > MAX_URL_LENGTH) return '';
  // `feed:https://…` names the URL after it; `feed://host/…` and `itpc://host/…` mean http.
  text = /^(feed|itpc|itms|pcast|podcast):https?:\/\//i.test(text) ? text.slice(text.indexOf(':') + 1) : text.replace(FEED_SCHEMES, 'http://');
  if (!/^[a-z][a-z0-9+.-]*:/i.test(text)) text = `http://${text}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return '';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return '';
  if (url.hostname === '') return '';
  url.username = '';
  url.password = '';
  url.hash = '';
  // WHATWG URL already lower-cases scheme and host, drops default ports, percent-encodes non-ASCII and makes an empty path '/'.
  let out = url.href;
  if (out.endsWith('?')) out = out.slice(0, -1);
  return out.length > MAX_URL_LENGTH ? '' : out;
}

/** One key for the spellings of a URL that name the same resource: http and https count as one. */
export function urlKey(sanitized: string): string {
  const withoutScheme = sanitized.replace(/^https?:\/\//, '');
  return createHash('sha256').update(withoutScheme).digest('base64url').slice(0, 32);
}
