import { createHash } from 'node:crypto';

/**
 * The catalog's look-up items, which find a show by its feed URL and an episode by its guid or
 * enclosure URL, as podcast apps name them (the gpodder API). Each is written in the same
 * transaction as the show or episode it names, and moved or deleted with it. URLs and guids
 * appear in keys only as hashes: a private feed's URL carries its token.
 *
 * - `FEEDURL#<feedUrlKey>` / `FEEDURL` → `{showId}`: one show per feed URL.
 * - `EPGUID#<showId>#<sha256(guid)>` / `EPGUID` → `{episodeId}`: one episode per guid in a show.
 * - `EPURL#<showId>#<feedUrlKey(audioUrl)>` / `<episodeId>`: every episode of the show with that
 *   enclosure URL (nothing makes them unique; a feed may list one file twice).
 */
export const FEED_URL_LOOKUP_ENTITY = 'feed-url';
export const EPISODE_GUID_LOOKUP_ENTITY = 'episode-guid';
export const EPISODE_URL_LOOKUP_ENTITY = 'episode-url';

export const feedUrlLookupKey = (urlKey: string) => ({ PK: `FEEDURL#${urlKey}`, SK: 'FEEDURL' });
export const guidHash = (guid: string): string => createHash('sha256').update(guid).digest('base64url');
export const episodeGuidLookupKey = (showId: string, guid: string) => ({ PK: `EPGUID#${showId}#${guidHash(guid)}`, SK: 'EPGUID' });
export const episodeUrlLookupPartition = (showId: string, urlKey: string) => `EPURL#${showId}#${urlKey}`;
export const episodeUrlLookupKey = (showId: string, urlKey: string, episodeId: string) => ({ PK: episodeUrlLookupPartition(showId, urlKey), SK: episodeId });
