import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Playhead's business metrics, written as CloudWatch embedded metric format (EMF) lines into
 * the function's own log: CloudWatch turns each line into metric data points, with no API
 * call, no SDK client and no latency. One namespace and one dimension (`service`), so each
 * metric is one custom metric however many functions count it.
 *
 * The line is the one Powertools Metrics writes (`test/unit/metrics.test.ts` compares the
 * two), written here because Powertools' package adds 10.3 KiB to every bundle and would push
 * the stream router and the push sender, the two that count the most, over their 500 KiB
 * budget (README, "Dependencies, and why").
 *
 * Counts are summed per invocation (AsyncLocalStorage, so concurrent handlers in the local
 * stack keep theirs apart) and written as one line when it ends; an invocation that counted
 * nothing writes nothing.
 */
export const METRICS_NAMESPACE = 'Playhead';
export const METRICS_SERVICE = 'playhead';

/**
 * Every business metric, for the dashboard (lib/cdk/alarms.ts). Handlers count through the
 * functions below, one each, so a bundle carries only the names it counts.
 */
export const businessMetrics = ['FeedEntriesWritten', 'SyncConflicts', 'PushesSent', 'PushTokensPruned', 'CatalogCacheHits', 'CatalogCacheMisses', 'CatalogCacheFallbacks'] as const;

export type MetricName = (typeof businessMetrics)[number];

const storage = new AsyncLocalStorage<Map<MetricName, number>>();

function count(name: MetricName, n: number): void {
  // A zero would still be a data point and a sample; nothing happened, so nothing is sent.
  if (n <= 0) return;
  const counts = storage.getStore();
  // Outside an invocation (a domain function called by a unit test) there is no line to add to.
  if (counts !== undefined) counts.set(name, (counts.get(name) ?? 0) + n);
}

/** Change-feed entries the stream router numbered and wrote. */
export const countFeedEntriesWritten = (n: number): void => count('FeedEntriesWritten', n);

/** Mutations a sync push answered with `conflict` (the device's version was stale). */
export const countSyncConflicts = (n: number): void => count('SyncConflicts', n);

/** Pushes APNs or FCM accepted. */
export const countPushesSent = (n: number): void => count('PushesSent', n);

/** Devices forgotten because APNs or FCM called their token dead. */
export const countPushTokensPruned = (n: number): void => count('PushTokensPruned', n);

/**
 * Catalog reads by key through a cache (`n` of them, one by default): served from it (`hit`),
 * read from DynamoDB and kept (`miss`), or read from DynamoDB because the cache failed or was
 * too slow (`fallback`).
 */
export function countCatalogRead(outcome: 'hit' | 'miss' | 'fallback', n = 1): void {
  count(outcome === 'hit' ? 'CatalogCacheHits' : outcome === 'miss' ? 'CatalogCacheMisses' : 'CatalogCacheFallbacks', n);
}

/** The EMF document for one invocation's counts. */
export function emfLine(counts: ReadonlyMap<MetricName, number>, timestampMs: number): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: timestampMs,
      CloudWatchMetrics: [{ Namespace: METRICS_NAMESPACE, Dimensions: [['service']], Metrics: [...counts.keys()].map((Name) => ({ Name, Unit: 'Count' })) }],
    },
    service: METRICS_SERVICE,
    ...Object.fromEntries(counts),
  };
}

/** Runs one invocation with its own counts and writes them as one EMF line when it ends, also when it throws. */
export async function withMetrics<T>(fn: () => Promise<T>): Promise<T> {
  const counts = new Map<MetricName, number>();
  try {
    return await storage.run(counts, fn);
  } finally {
    // Straight to stdout, as Powertools does, so the Lambda runtime's console wrapping leaves the JSON as it is;
    // Powertools' own switch turns it off (the bench, which runs thousands of invocations in one process).
    if (counts.size > 0 && process.env.POWERTOOLS_METRICS_DISABLED !== 'true') process.stdout.write(`${JSON.stringify(emfLine(counts, Date.now()))}\n`);
  }
}
