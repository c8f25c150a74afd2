import { FEED_RETENTION_DAYS_ENV } from '../../lib/queue-definitions';
import { optionalEnv } from '../shared/config';

/** How long deletions (and every other change) stay in the feed; after that a client must resync. */
export const feedRetentionDays = Number(optionalEnv(FEED_RETENTION_DAYS_ENV, '30'));
if (!Number.isInteger(feedRetentionDays) || feedRetentionDays < 1) {
  throw new Error(`${FEED_RETENTION_DAYS_ENV} must be a whole number of days, not '${process.env[FEED_RETENTION_DAYS_ENV]}'`);
}
export const feedRetentionMs = feedRetentionDays * 24 * 3600 * 1000;
