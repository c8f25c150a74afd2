import { S3Client } from '@aws-sdk/client-s3';

/**
 * One S3 client per container. In AWS it uses virtual-hosted URLs; with an emulator endpoint
 * (AWS_ENDPOINT_URL_S3, the local stack) path-style URLs, which need no wildcard DNS.
 * Checksums only when an operation requires them: otherwise a presigned PUT would carry the
 * checksum of an empty body, which the device's upload could never match.
 */
export const s3Client = new S3Client({
  forcePathStyle: process.env.AWS_ENDPOINT_URL_S3 !== undefined,
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
});
