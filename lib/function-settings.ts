/**
 * What every Playhead Lambda runs with, as plain data: the CDK functions use it, and the bench
 * prices invocations with it, so what is priced is what is deployed.
 *
 * - 512 MB: Lambda gives CPU in proportion to memory, and the cold start (loading a bundled SDK,
 *   CPU-bound) slows as the share shrinks, while the handlers themselves wait on DynamoDB. Half
 *   the memory would halve the duration line of the bill, a few cents per million progress
 *   writes (docs/BENCHMARKS.md, "The price of a progress write"), for a slower first request.
 * - Advanced logging: JSON lines, the handlers' own lines from INFO, and Lambda's platform
 *   lines (START, END, REPORT, about 250 bytes an invocation) only from WARN. Duration, errors
 *   and throttles stay CloudWatch metrics either way; what goes is the per-invocation REPORT
 *   text (its memory used and init duration).
 */
export const functionSettings = {
  memoryMb: 512,
  logFormat: 'JSON',
  applicationLogLevel: 'INFO',
  systemLogLevel: 'WARN',
} as const;
