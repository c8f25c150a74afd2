/**
 * What raises an alarm, as plain data: the thresholds of lib/cdk/alarms.ts and the context key
 * that names who receives them. Which queues and functions are watched follows from
 * lib/queue-definitions.ts (every DLQ, every queue that `holdsFailures`), lib/consumers.ts (each
 * trigger's failure queue) and the functions the API stack creates, so a new one is watched
 * without another line.
 */
/** `-c alarmEmail=ops@example.com`: this address is subscribed to the alarm topic (it must confirm). */
export const ALARM_EMAIL_CONTEXT_KEY = 'alarmEmail';

export const alarmSettings = {
  /** Period of the per-function and queue alarms; one period over the threshold raises the alarm. */
  periodMinutes: 5,
  /** The stream router's oldest record, when it got it, older than this for `minutes` minutes running: it is falling behind. */
  iteratorAge: { thresholdSeconds: 60, minutes: 3 },
  /** 5xx answers as a share of all requests in one period. Handlers answer 4xx by construction, so any 5xx is a crash, a timeout or a refused integration. */
  serverErrorPercent: 1,
  /** The API's 99th percentile latency (API Gateway's `Latency`: authorizer, integration and its own) over `periods` periods running. */
  p99Latency: { thresholdMs: 1000, periods: 3 },
} as const;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The alarm e-mail from context, or undefined when none is given. */
export function alarmEmailFrom(value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !EMAIL.test(value)) throw new Error(`Context key ${ALARM_EMAIL_CONTEXT_KEY} must be an e-mail address`);
  return value;
}
