import { Aws } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * The media bucket's name: CDK context `mediaBucketName` when set (a second stage in the same
 * account and region needs its own), else one per account and region. Named rather than
 * generated so the API stack can address message videos by a stable ARN of its own (no
 * cross-stack export), which also keeps its least-privilege grants readable:
 * `…:s3:::playhead-media-<account>-<region>/messages/*`.
 */
export function mediaBucketName(scope: IConstruct): string {
  const fromContext: unknown = scope.node.tryGetContext('mediaBucketName');
  if (fromContext !== undefined && (typeof fromContext !== 'string' || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(fromContext))) {
    throw new Error('Context mediaBucketName must be a valid S3 bucket name (3-63 of a-z 0-9 . -).');
  }
  return fromContext ?? `playhead-media-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
}
