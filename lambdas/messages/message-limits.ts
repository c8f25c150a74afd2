/**
 * What a video message may be, and how long its pieces live. Checked before anything is
 * signed; documented in README.md and openapi.yaml.
 */
export const MESSAGE_CONTENT_TYPES = ['video/mp4', 'video/quicktime', 'video/webm'] as const;
/** 100 MiB: a few minutes of phone video at mobile bit rates; one presigned PUT (S3 allows 5 GiB). */
export const MAX_MESSAGE_BYTES = 100 * 1024 * 1024;
/** Short messages: three minutes. */
export const MAX_MESSAGE_SECONDS = 180;
/** A signed upload URL is good for this long; an object that arrives later is refused. */
export const UPLOAD_URL_SECONDS = 15 * 60;
/** A signed download URL is good for this long; the app asks again when it needs one. */
export const DOWNLOAD_URL_SECONDS = 15 * 60;
/** A video nobody has viewed is removed (object by the bucket's lifecycle rule, inbox slot by TTL) after this long. */
export const UNVIEWED_RETENTION_DAYS = 14;
/**
 * A viewed video is tagged, and a lifecycle rule expires tagged videos this many days after
 * their upload (S3 counts lifecycle days from an object's creation): within a day of being
 * viewed, and at the next lifecycle run when it was uploaded more than a day before.
 */
export const VIEWED_RETENTION_DAYS = 1;
/** Object key prefix of message videos; lifecycle rules and the upload event filter use it. */
export const MESSAGE_KEY_PREFIX = 'messages/';
/** The tag a viewed video gets, which the lifecycle rule for viewed videos matches. */
export const VIEWED_TAG = { Key: 'playhead-state', Value: 'viewed' } as const;
