import { feedUrlKey, normalizeFeedUrl } from '../catalog/feed-url';

/**
 * URLs as gpodder answers them: the catalog's normalization (catalog/feed-url.ts), so a feed a
 * publisher gave a show and the spelling an app sends are one; a URL that cannot be one is ''
 * (gpodder's `[sent, ""]` in `update_urls`).
 */
export const sanitizeUrl = (raw: string): string => normalizeFeedUrl(raw) ?? '';

/** Spellings of one resource share it (http and https count as one); never the URL itself, which may carry a private feed's token. */
export const urlKey = feedUrlKey;
