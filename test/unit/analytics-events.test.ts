import { describe, expect, it } from 'vitest';
import { analyticsEventsFor } from '../../lambdas/events/analytics-events';
import type { ItemChange } from '../../lambdas/events/item-change';

const assetId = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
const watch = { PK: 'USER#u', SK: `WATCHLIST#${assetId}`, entity: 'watchlist-item', assetId, addedAt: '2026-01-01T00:00:00.000Z' };
const progress = (value: number) => ({ PK: 'USER#u', SK: `PROGRESS#${assetId}`, entity: 'progress', assetId, progress: value, updatedAt: '2026-01-01T00:00:00.000Z' });
const change = (oldImage?: Record<string, unknown>, newImage?: Record<string, unknown>): ItemChange => ({
  changeId: 'change-1',
  streamSeq: '100',
  keys: {},
  occurredAt: '2026-01-01T00:00:00.000Z',
  oldImage,
  newImage,
});

describe('analytics events are decided from old and new images', () => {
  it.each([
    ['a new watchlist item', change(undefined, watch), ['added-to-watchlist']],
    ['a removed watchlist item', change(watch, undefined), ['removed-from-watchlist']],
    ['an unchanged watchlist item', change(watch, watch), []],
    ['first progress above 0', change(undefined, progress(30)), ['viewed']],
    ['first progress of 0', change(undefined, progress(0)), []],
    ['progress forward', change(progress(30), progress(31)), ['viewed']],
    ['progress unchanged', change(progress(30), progress(30)), []],
    ['progress backward', change(progress(30), progress(10)), []],
    ['progress deleted', change(progress(30), undefined), []],
    ['a catalog asset', change(undefined, { entity: 'asset', assetId, title: 'x' }), []],
  ])('%s', (_label, input, expected) => {
    expect(analyticsEventsFor(input).map((e) => e.event)).toEqual(expected);
  });

  it('reports old progress as 0 when there was none, and carries the change id as eventId', () => {
    expect(analyticsEventsFor(change(undefined, progress(45)))).toEqual([
      { event: 'viewed', assetId, oldProgress: 0, newProgress: 45, eventId: 'change-1', occurredAt: '2026-01-01T00:00:00.000Z' },
    ]);
  });

  it('refuses an image that claims an entity but does not match its schema', () => {
    expect(() => analyticsEventsFor(change(undefined, { entity: 'progress', assetId, progress: 'ten' }))).toThrow();
  });
});
