import { describe, expect, it } from 'vitest';
import { DIFF_SINCE_OVERLAP_MS } from '../../lambdas/catalogs/catalog-limits';
import { catalogCacheSettings, daxSettings } from '../../lib/dax-settings';

describe('the catalog read path’s staleness', () => {
  // A batch get after a diff may answer a copy up to a TTL old; the next diff lists again every
  // key changed in the overlap before its predecessor, so a copy older than that could be missed.
  it('stays below the catalog diff’s overlap, for the container cache and for DAX', () => {
    expect(catalogCacheSettings.ttlMs).toBeLessThan(DIFF_SINCE_OVERLAP_MS);
    expect(daxSettings.recordTtlMs).toBeLessThan(DIFF_SINCE_OVERLAP_MS);
  });

  it('gives DAX the time to answer that a read can spare, and no more than the TTL it saves', () => {
    expect(daxSettings.timeoutMs).toBeLessThanOrEqual(200);
    expect(daxSettings.retryAfterMs).toBeLessThanOrEqual(catalogCacheSettings.ttlMs);
  });
});
