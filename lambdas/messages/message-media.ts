import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, NotFound, PutObjectCommand, PutObjectTaggingCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { BUCKET_NAME_ENV } from '../../lib/queue-definitions';
import { requireEnv } from '../shared/config';
import { s3Client } from '../shared/s3';
import { DOWNLOAD_URL_SECONDS, MESSAGE_KEY_PREFIX, UPLOAD_URL_SECONDS, VIEWED_TAG } from './message-limits';

/** The video bytes never pass through Lambda: devices upload and download with signed URLs. */
const bucket = requireEnv(BUCKET_NAME_ENV);

export const objectKeyOf = (messageId: string): string => `${MESSAGE_KEY_PREFIX}${messageId}`;

export interface SignedUpload {
  url: string;
  method: 'PUT';
  /** Send exactly these headers; they are part of the signature. */
  headers: Record<string, string>;
  expiresAt: string;
}

/**
 * A PUT URL for one key, bound by signature to the declared content type and length: S3
 * refuses a request whose `Content-Type` or `Content-Length` differs, and any request after
 * the expiry.
 */
export async function signUpload(objectKey: string, contentType: string, sizeBytes: number, now: Date): Promise<SignedUpload> {
  const url = await getSignedUrl(
    s3Client,
    new PutObjectCommand({ Bucket: bucket, Key: objectKey, ContentType: contentType, ContentLength: sizeBytes }),
    { expiresIn: UPLOAD_URL_SECONDS, signableHeaders: new Set(['content-type', 'content-length']), signingDate: now },
  );
  return {
    url,
    method: 'PUT',
    headers: { 'content-type': contentType, 'content-length': String(sizeBytes) },
    expiresAt: new Date(now.getTime() + UPLOAD_URL_SECONDS * 1000).toISOString(),
  };
}

export async function signDownload(objectKey: string, now: Date): Promise<{ url: string; expiresAt: string }> {
  const url = await getSignedUrl(s3Client, new GetObjectCommand({ Bucket: bucket, Key: objectKey }), { expiresIn: DOWNLOAD_URL_SECONDS, signingDate: now });
  return { url, expiresAt: new Date(now.getTime() + DOWNLOAD_URL_SECONDS * 1000).toISOString() };
}

export interface StoredObject {
  sizeBytes: number;
  contentType: string | undefined;
  lastModified: Date | undefined;
}

/** What S3 holds under the key, or undefined when nothing was uploaded (yet). */
export async function storedObject(objectKey: string): Promise<StoredObject | undefined> {
  try {
    const head = await s3Client.send(new HeadObjectCommand({ Bucket: bucket, Key: objectKey }));
    return { sizeBytes: head.ContentLength ?? -1, contentType: head.ContentType, lastModified: head.LastModified };
  } catch (error) {
    if (error instanceof NotFound || (error as { name?: string }).name === 'NotFound' || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
    throw error;
  }
}

export async function deleteObject(objectKey: string): Promise<void> {
  await s3Client.send(new DeleteObjectCommand({ Bucket: bucket, Key: objectKey }));
}

/** Viewed videos carry a tag that the bucket's lifecycle rule expires early. */
export async function tagViewed(objectKey: string): Promise<void> {
  await s3Client.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: objectKey, Tagging: { TagSet: [{ ...VIEWED_TAG }] } }));
}
