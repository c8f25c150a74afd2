import { beforeAll, describe, expect, it } from 'vitest';
import { feedSortKey, nextSeq, streamSeqAfter } from '../../lambdas/sync/feed-entry';

let cursor: typeof import('../../lambdas/sync/feed-cursor');
beforeAll(async () => {
  process.env.FEED_CURSOR_SECRET = 'unit-test-secret';
  cursor = await import('../../lambdas/sync/feed-cursor');
});

describe('feed numbering', () => {
  it('is strictly increasing and never below the clock in microseconds', () => {
    expect(nextSeq(undefined, 1_000)).toBe(1_000_000);
    expect(nextSeq(5_000_000, 1_000)).toBe(5_000_001);
    // The newest entries are gone (expired early): numbering still does not go back.
    expect(nextSeq(1_000, 9_000)).toBe(9_000_000);
  });

  it('pads sort keys so that string order is number order', () => {
    expect(feedSortKey(9) < feedSortKey(10)).toBe(true);
    expect(feedSortKey(Date.now() * 1000) < feedSortKey(Date.now() * 1000 + 1)).toBe(true);
  });

  it('compares stream sequence numbers beyond 2^53 exactly', () => {
    expect(streamSeqAfter('100000000000000000001', '100000000000000000000')).toBe(true);
    expect(streamSeqAfter('100000000000000000000', '100000000000000000000')).toBe(false);
    expect(streamSeqAfter('99', '100')).toBe(false);
    expect(streamSeqAfter('1', undefined)).toBe(true);
  });
});

describe('feed cursors', () => {
  it('round-trip for their user only', () => {
    const token = cursor.encodeFeedCursor('alice', { seq: 42, issuedAt: 1_700_000_000_000 });
    expect(cursor.decodeFeedCursor('alice', token)).toEqual({ seq: 42, issuedAt: 1_700_000_000_000 });
    expect(() => cursor.decodeFeedCursor('bob', token)).toThrow(/not issued/);
  });

  it('do not verify for a user whose id, joined to the payload, spells the same signed text', () => {
    // Signed as `${userId}\n${payload}`, the cursor of "alice\nICAg" was also alice's: the
    // decoder skips the newline, and "ICAg" is base64url for three spaces, which JSON.parse allows.
    const position = { seq: 42, issuedAt: 1_700_000_000_000 };
    const [payload, signature] = cursor.encodeFeedCursor('alice\nICAg', position).split('.') as [string, string];
    expect(() => cursor.decodeFeedCursor('alice', `ICAg\n${payload}.${signature}`)).toThrow(/not issued/);
  });

  it('refuse any change to the payload or the signature', () => {
    const token = cursor.encodeFeedCursor('alice', { seq: 42, issuedAt: 1_700_000_000_000, snapshotAfter: 'WATCHLIST#a' });
    const [payload, signature] = token.split('.') as [string, string];
    const other = Buffer.from(JSON.stringify({ s: 0, t: 1_700_000_000_000 })).toString('base64url');
    for (const forged of [`${other}.${signature}`, `${payload}.${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`, payload, `${token}.x`, '']) {
      expect(() => cursor.decodeFeedCursor('alice', forged)).toThrow();
    }
  });
});
