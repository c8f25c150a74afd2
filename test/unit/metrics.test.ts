import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { countCatalogRead, countFeedEntriesWritten, countSyncConflicts, emfLine, type MetricName, METRICS_NAMESPACE, METRICS_SERVICE, withMetrics } from '../../lambdas/shared/metrics';

/** The JSON lines written to stdout while `fn` runs. */
async function stdoutLines(fn: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const written: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await fn();
  } finally {
    spy.mockRestore();
  }
  return written
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

afterEach(() => vi.restoreAllMocks());

describe('metrics', () => {
  it('writes the document Powertools Metrics writes for the same counts', () => {
    const counts = new Map<MetricName, number>([
      ['FeedEntriesWritten', 3],
      ['SyncConflicts', 1],
    ]);
    const reference = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE });
    for (const [name, value] of counts) reference.addMetric(name, MetricUnit.Count, value);
    const expected = reference.serializeMetrics() as unknown as { _aws: { Timestamp: number } };
    expect(emfLine(counts, expected._aws.Timestamp)).toEqual(expected);
  });

  it('writes one line per invocation with the counts summed, in the namespace with the one service dimension', async () => {
    const lines = await stdoutLines(() =>
      withMetrics(async () => {
        countFeedEntriesWritten(2);
        countFeedEntriesWritten(3);
        countCatalogRead('hit');
        countCatalogRead('hit', 3);
        countCatalogRead('miss', 0);
        countCatalogRead('fallback');
      }),
    );
    expect(lines).toHaveLength(1);
    const line = lines[0] ?? {};
    expect(line).toMatchObject({ service: 'playhead', FeedEntriesWritten: 5, CatalogCacheHits: 4, CatalogCacheFallbacks: 1 });
    expect(line).not.toHaveProperty('CatalogCacheMisses');
    const directive = (line._aws as { CloudWatchMetrics: unknown[] }).CloudWatchMetrics;
    expect(directive).toEqual([
      {
        Namespace: 'Playhead',
        Dimensions: [['service']],
        Metrics: [
          { Name: 'FeedEntriesWritten', Unit: 'Count' },
          { Name: 'CatalogCacheHits', Unit: 'Count' },
          { Name: 'CatalogCacheFallbacks', Unit: 'Count' },
        ],
      },
    ]);
    expect(Math.abs((line._aws as { Timestamp: number }).Timestamp - Date.now())).toBeLessThan(60_000);
  });

  it('writes nothing for an invocation that counted nothing, or only zeros', async () => {
    const lines = await stdoutLines(() =>
      withMetrics(async () => {
        countSyncConflicts(0);
      }),
    );
    expect(lines).toEqual([]);
  });

  it('writes nothing while POWERTOOLS_METRICS_DISABLED is true, as Powertools Metrics', async () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    try {
      expect(await stdoutLines(() => withMetrics(async () => countSyncConflicts(1)))).toEqual([]);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('writes what was counted when the invocation throws', async () => {
    const lines = await stdoutLines(() =>
      withMetrics(async () => {
        countSyncConflicts(4);
        throw new Error('boom');
      }).catch(() => undefined),
    );
    expect(lines).toMatchObject([{ SyncConflicts: 4 }]);
  });

  it('keeps concurrent invocations apart, as the local stack runs them in one process', async () => {
    const lines = await stdoutLines(() =>
      Promise.all(
        [1, 2, 3].map((n) =>
          withMetrics(async () => {
            countSyncConflicts(n);
            await new Promise((resolve) => setTimeout(resolve, 10 * (4 - n)));
            countSyncConflicts(n);
          }),
        ),
      ),
    );
    expect(lines.map((line) => line.SyncConflicts).sort()).toEqual([2, 4, 6]);
  });
});
