import { Aws } from 'aws-cdk-lib';

/**
 * The media bucket's name, one per account and region. Named rather than generated so the API
 * stack can address message videos by a stable ARN of its own (no cross-stack export), which
 * also keeps its least-privilege grants readable: `…:s3:::playhead-media-<account>-<region>/messages/*`.
 */
export const mediaBucketName = (): string => `playhead-media-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
