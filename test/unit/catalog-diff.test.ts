import { describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.TABLE_NAME ??= 'unit-test-table';
});

import { diffCatalog, missingCursorKey } from '../../lambdas/catalogs/catalog-diff';
import { DIFF_SINCE_OVERLAP_MS, MAX_REPORTED_KEY_ERRORS, MISSING_PAGE_SIZE } from '../../lambdas/catalogs/catalog-limits';
import type { DiffMember } from '../../lambdas/catalogs/catalog-member-store';
import { diffRequestSchema } from '../../lambdas/catalogs/catalog-schemas';
import { HttpProblem } from '../../lambdas/shared/problem';

const key = (n: number, kind = 'asset') => `${kind}:00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const sent = (...keys: string[]) => keys.map((k, index) => ({ key: k, index }));
const T1 = '2025-01-01T00:00:00.000Z';
const T2 = '2025-01-02T00:00:00.000Z';
const T3 = '2025-01-03T00:00:00.000Z';
const READ_AT = Date.parse('2025-02-01T00:00:00.000Z');

describe('diffCatalog', () => {
  const members: DiffMember[] = [
    { key: key(1), contentUpdatedAt: T1 },
    { key: key(2), contentUpdatedAt: T2 },
    { key: key(3), contentUpdatedAt: T1, removedAt: T2 },
    { key: key(4), contentUpdatedAt: T2, contentDeletedAt: T2 },
    { key: key(5), contentUpdatedAt: T3, contentDeletedAt: T3, removedAt: T2 },
    { key: key(6), contentUpdatedAt: T1, refreshedAt: T3 },
  ];

  it('sorts sent keys into present and gone, and lists the live members not sent as missing', () => {
    const diff = diffCatalog(members, { keys: sent(key(9), key(1), key(3), key(4), key(5)) }, READ_AT);
    expect(diff).toEqual({
      present: [{ key: key(1), updatedAt: T1 }],
      missing: [
        { key: key(2), updatedAt: T2 },
        { key: key(6), updatedAt: T1 },
      ],
      // Removed wins over a later content deletion: the member left the catalog first.
      gone: [{ key: key(3), deletedAt: T2 }, { key: key(4), deletedAt: T2 }, { key: key(5), deletedAt: T2 }, { key: key(9) }],
      unchanged: 0,
      asOf: new Date(READ_AT - DIFF_SINCE_OVERLAP_MS).toISOString(),
    });
  });

  it('with since, lists a key changed after it, or whose copy was refreshed after it; counts the rest', () => {
    const diff = diffCatalog(members, { keys: sent(key(1), key(2), key(6)), since: '2025-01-01T12:00:00.000Z' }, READ_AT);
    expect(diff.present.map((p) => p.key)).toEqual([key(2), key(6)]);
    expect(diff.unchanged).toBe(1);
    // Changed exactly at `since` is not after it.
    expect(diffCatalog(members, { keys: sent(key(2)), since: T2 }, READ_AT)).toMatchObject({ present: [], unchanged: 1 });
  });

  it('pages missing after MISSING_PAGE_SIZE keys and continues after the cursor', () => {
    const many: DiffMember[] = Array.from({ length: MISSING_PAGE_SIZE + 2 }, (_, i) => ({ key: key(i), contentUpdatedAt: T1 }));
    const first = diffCatalog(many, { keys: [] }, READ_AT);
    expect(first.missing).toHaveLength(MISSING_PAGE_SIZE);
    const after = missingCursorKey(first.nextCursor as string);
    expect(after).toBe(key(MISSING_PAGE_SIZE - 1));
    const second = diffCatalog(many, { keys: sent(key(MISSING_PAGE_SIZE)), missingAfter: after }, READ_AT);
    expect(second.missing.map((m) => m.key)).toEqual([key(MISSING_PAGE_SIZE + 1)]);
    expect(second.present.map((p) => p.key)).toEqual([key(MISSING_PAGE_SIZE)]);
    expect(second.nextCursor).toBeUndefined();
    // Exactly a full page: no cursor.
    expect(diffCatalog(many.slice(0, MISSING_PAGE_SIZE), { keys: [] }, READ_AT).nextCursor).toBeUndefined();
  });

  it('refuses a cursor it did not issue, naming body.cursor', () => {
    for (const cursor of ['x', Buffer.from('{"after":"asset:1"}').toString('base64url'), Buffer.from(JSON.stringify({ after: key(1).toUpperCase() })).toString('base64url')]) {
      expect(() => missingCursorKey(cursor)).toThrow(HttpProblem);
    }
  });
});

describe('diff request', () => {
  it('takes keys in any letter case once each, first place kept', () => {
    const parsed = diffRequestSchema.parse({ keys: [key(1).toUpperCase().replace('ASSET', 'asset'), key(2), key(1)] });
    expect(parsed.keys).toEqual([
      { key: key(1), index: 0 },
      { key: key(2), index: 1 },
    ]);
  });

  it(`names at most ${MAX_REPORTED_KEY_ERRORS} bad keys`, () => {
    const result = diffRequestSchema.safeParse({ keys: Array.from({ length: 100 }, () => 'nope') });
    expect(result.success).toBe(false);
    expect(result.error?.issues).toHaveLength(MAX_REPORTED_KEY_ERRORS);
    expect(result.error?.issues[0]?.path).toEqual(['keys', 0]);
  });

  it('keeps since in the server format, so it compares as text', () => {
    expect(diffRequestSchema.parse({ keys: [], since: '2025-01-01T01:00:00+01:00' }).since).toBe('2025-01-01T00:00:00.000Z');
  });
});
