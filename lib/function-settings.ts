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
 *   text (its memory used and init duration). Both levels can be changed per deployment with
 *   `-c applicationLogLevel=DEBUG` and `-c systemLogLevel=INFO` (logLevelsFrom).
 */
export const functionSettings = {
  memoryMb: 512,
  logFormat: 'JSON',
  applicationLogLevel: 'INFO',
  systemLogLevel: 'WARN',
} as const;

export const APPLICATION_LOG_LEVEL_CONTEXT_KEY = 'applicationLogLevel';
export const SYSTEM_LOG_LEVEL_CONTEXT_KEY = 'systemLogLevel';

/** What Lambda accepts for each; the Powertools logger follows the application level Lambda sets. */
const applicationLogLevels = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;
const systemLogLevels = ['DEBUG', 'INFO', 'WARN'] as const;

export interface LogLevels {
  applicationLogLevel: (typeof applicationLogLevels)[number];
  systemLogLevel: (typeof systemLogLevels)[number];
}

/** The levels from the context keys, each falling back to functionSettings; a level Lambda does not know stops synthesis. */
export function logLevelsFrom(application: unknown, system: unknown): LogLevels {
  return {
    applicationLogLevel: contextLevel(APPLICATION_LOG_LEVEL_CONTEXT_KEY, application, applicationLogLevels, functionSettings.applicationLogLevel),
    systemLogLevel: contextLevel(SYSTEM_LOG_LEVEL_CONTEXT_KEY, system, systemLogLevels, functionSettings.systemLogLevel),
  };
}

function contextLevel<L extends string>(key: string, value: unknown, levels: readonly L[], fallback: L): L {
  if (value === undefined || value === '') return fallback;
  const level = typeof value === 'string' ? value.toUpperCase() : value;
  if (!levels.includes(level as L)) throw new Error(`Context key ${key} must be one of ${levels.join(', ')}`);
  return level as L;
}
