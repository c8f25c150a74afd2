import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { streamRouterSettings } from '../../lib/consumers';
import { passesStreamFilter, streamFilterPatterns } from '../../lib/stream-filter';

const image = (item: Record<string, unknown>) => marshall(item);
const entry = { PK: 'USER#u', SK: 'FEED#00000000000000001', entity: 'feed-entry', seq: 1 };
const progress = { PK: 'USER#u', SK: 'PROGRESS#a', entity: 'progress', progress: 5 };

describe('the stream router’s event filter', () => {
  it('is stated once as Lambda filter patterns: records of any entity but the bookkeeping the router never acts on', () => {
    const ignored = [...(streamRouterSettings.ignoredEntities ?? [])];
    expect(ignored).toEqual(expect.arrayContaining(['feed-entry', 'device', 'sync-session']));
    expect(streamFilterPatterns(streamRouterSettings)).toEqual([
      { dynamodb: { NewImage: { entity: { S: [{ 'anything-but': ignored }] } } } },
      { dynamodb: { OldImage: { entity: { S: [{ 'anything-but': ignored }] } } } },
    ]);
  });

  it('lets through what those patterns let through, and nothing else', () => {
    const passes = (dynamodb: { NewImage?: unknown; OldImage?: unknown }) => passesStreamFilter(streamRouterSettings, { dynamodb });
    // The router's own writes: an entry written, rewritten in place, removed or expired.
    expect(passes({ NewImage: image(entry) })).toBe(false);
    expect(passes({ NewImage: image({ ...entry, seq: 2 }), OldImage: image(entry) })).toBe(false);
    expect(passes({ OldImage: image(entry) })).toBe(false);
    // A push claiming its device, a sync session opening.
    expect(passes({ NewImage: image({ PK: 'USER#u', SK: 'DEVICE#d', entity: 'device' }), OldImage: image({ PK: 'USER#u', SK: 'DEVICE#d', entity: 'device' }) })).toBe(false);
    expect(passes({ NewImage: image({ PK: 'USER#u', SK: 'SYNCSESSION#s', entity: 'sync-session' }) })).toBe(false);
    // Changes of user items, removals included.
    expect(passes({ NewImage: image(progress) })).toBe(true);
    expect(passes({ NewImage: image({ ...progress, progress: 6 }), OldImage: image(progress) })).toBe(true);
    expect(passes({ OldImage: image(progress) })).toBe(true);
    // A pattern needs the attribute: an item without an entity matches neither.
    expect(passes({ NewImage: image({ PK: 'X', SK: 'Y' }) })).toBe(false);
    expect(passes({})).toBe(false);
  });
});
