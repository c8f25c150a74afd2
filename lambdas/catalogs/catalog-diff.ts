import { contentKeySchema } from '../catalog/content-keys';
import { encodeCursor } from '../shared/paging';
import { HttpProblem } from '../shared/problem';
import type { DiffMember } from './catalog-member-store';
import { DIFF_SINCE_OVERLAP_MS, MISSING_PAGE_SIZE } from './catalog-limits';
import type { SentKey } from './catalog-schemas';

/**
 * The diff of what a client holds against a curated catalog, from the catalog's members alone.
 *
 * - `present`: keys sent that are live members (in the catalog, content not deleted), with the
 *   content's `updatedAt`. With `since`, only those changed after it; `unchanged` counts the rest.
 * - `missing`: live members not sent, by key, MISSING_PAGE_SIZE at most; `nextCursor` continues.
 * - `gone`: keys sent that are not live members: never in the catalog (no `deletedAt`), removed
 *   from it (`deletedAt` = when it was removed), or their content deleted (the content's `deletedAt`).
 *
 * `asOf`, the `since` for the next diff, is DIFF_SINCE_OVERLAP_MS before the catalog was read.
 * A member's copy can be written with a time taken up to a writer's run time (Lambda timeouts:
 * 10 s for routes, 30 s for stream consumers) before it commits, and the read is eventually
 * consistent (replicas lag by well under a second); the overlap covers both, so a change is
 * never missed, at the price of listing again the few keys changed in the minute before a diff.
 * That is also why the diff can read with eventual consistency, at half the read units.
 *
 * "Changed after `since`" is judged on the content's `updatedAt` and on when the member's copy
 * was written (`refreshedAt`): a content edit reaches its members through lambdas/propagation,
 * seconds (or, in a backlog, minutes) after its `updatedAt`, and a copy that lands after a
 * client's `since` must still be listed, though its `updatedAt` is older.
 */
export interface CatalogDiff {
  present: { key: string; updatedAt: string }[];
  missing: { key: string; updatedAt: string }[];
  gone: { key: string; deletedAt?: string }[];
  unchanged: number;
  asOf: string;
  nextCursor?: string;
}

export interface DiffInput {
  /** Canonical, without repeats. */
  keys: readonly SentKey[];
  since?: string | undefined;
  /** The last `missing` key of the previous answer. */
  missingAfter?: string | undefined;
}

const changedAt = (member: DiffMember): string =>
  member.refreshedAt !== undefined && member.refreshedAt > member.contentUpdatedAt ? member.refreshedAt : member.contentUpdatedAt;

/** `members` as the catalog's partition holds them, sorted by key; `readAt` is when the read began (ms since the epoch). */
export function diffCatalog(members: readonly DiffMember[], input: DiffInput, readAt: number): CatalogDiff {
  const byKey = new Map(members.map((m) => [m.key, m]));
  const sent = new Set<string>();
  const diff: CatalogDiff = { present: [], missing: [], gone: [], unchanged: 0, asOf: new Date(readAt - DIFF_SINCE_OVERLAP_MS).toISOString() };

  for (const key of input.keys.map((k) => k.key).sort()) {
    sent.add(key);
    const member = byKey.get(key);
    if (member === undefined) diff.gone.push({ key });
    else if (member.removedAt !== undefined) diff.gone.push({ key, deletedAt: member.removedAt });
    else if (member.contentDeletedAt !== undefined) diff.gone.push({ key, deletedAt: member.contentDeletedAt });
    else if (input.since !== undefined && changedAt(member) <= input.since) diff.unchanged += 1;
    else diff.present.push({ key, updatedAt: member.contentUpdatedAt });
  }

  for (const member of members) {
    if (input.missingAfter !== undefined && member.key <= input.missingAfter) continue;
    if (sent.has(member.key) || member.removedAt !== undefined || member.contentDeletedAt !== undefined) continue;
    if (diff.missing.length === MISSING_PAGE_SIZE) {
      diff.nextCursor = encodeCursor((diff.missing.at(-1) as { key: string }).key);
      break;
    }
    diff.missing.push({ key: member.key, updatedAt: member.contentUpdatedAt });
  }
  return diff;
}

/** A diff cursor names the last `missing` key answered; anything else is a 400 naming `body.cursor`. */
export function missingCursorKey(cursor: string): string {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const after = (decoded as { after?: unknown }).after;
    const parsed = contentKeySchema.safeParse(after);
    if (parsed.success && parsed.data === after) return parsed.data;
  } catch {
    // fall through to the problem below
  }
  throw new HttpProblem('validation-failed', 'The cursor is not one this API issued.', { errors: [{ field: 'body.cursor', message: 'is not a valid cursor' }] });
}
