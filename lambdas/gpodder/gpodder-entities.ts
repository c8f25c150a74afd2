/**
 * The entity names of the gpodder surface's own items, pure so the stream filter
 * (lib/consumers.ts) can name them: none of them is a synced type, so the stream router never
 * needs to see them.
 */
export const GPODDER_DEVICE_ENTITY = 'gpodder-device';
export const GPODDER_SUBSCRIPTION_ENTITY = 'gpodder-subscription';
export const GPODDER_EPISODE_ENTITY = 'gpodder-episode';
export const GPODDER_READ_MARK_ENTITY = 'gpodder-read-mark';
