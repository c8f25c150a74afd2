import { validationProblem } from '../shared/problem';
import {
  type ContentStamp,
  liveMemberItem,
  putMembers,
  readContentStamps,
  readMembers,
  refreshMemberCopy,
  removedMemberItem,
} from './catalog-member-store';
import type { SentKey } from './catalog-schemas';
import { requireCatalog } from './catalog-rules';
import { getCatalog } from './catalog-store';

/**
 * Adding keys to a catalog and removing them: the rules. Everything that can refuse the request
 * (unknown catalog, keys that name no content) is decided before the first write, so a refused
 * request writes nothing. Both are idempotent, and a repeat writes nothing at all.
 */
export interface KeysAdded {
  catalogId: string;
  /** Keys that were not in the catalog before. */
  added: string[];
  /** Keys that had been removed and are back. */
  revived: string[];
  /** Keys that were in the catalog already. */
  unchanged: string[];
}

export interface KeysRemoved {
  catalogId: string;
  removed: string[];
  /** Keys already removed, or never in the catalog. */
  unchanged: string[];
}

/** Consistent: a publisher adds keys right after creating the catalog, and must not get a 404 for it. */
async function requireCatalogForWrite(catalogId: string): Promise<void> {
  requireCatalog(await getCatalog(catalogId, { consistent: true }), catalogId);
}

/**
 * Adds keys (each must name an existing asset, show or episode; a deleted one may be added and
 * simply shows as gone in a diff). A new or revived member copies the content's `updatedAt` /
 * `deletedAt`; a member already in the catalog keeps its `addedAt`.
 *
 * Cost for n new keys (items under 1 KB, content under 4 KB): strongly consistent reads of the
 * catalog (1 unit) and of n content items and n members (BatchGetItem, 2n units), n member
 * writes (BatchWriteItem; each also writes the holder index, so 2n write units), and n content
 * reads for the check below. A repeat of the same add costs 1 + 2n read units and no write.
 */
export async function addKeys(catalogId: string, sent: readonly SentKey[], now: string): Promise<KeysAdded> {
  await requireCatalogForWrite(catalogId);
  const keys = sent.map((s) => s.key);
  const [contents, members] = await Promise.all([readContentStamps(keys), readMembers(catalogId, keys)]);
  const unknown = sent.filter((s) => !contents.has(s.key));
  if (unknown.length > 0) {
    throw validationProblem(unknown.map((s) => ({ field: `body.keys.${s.index}`, message: `names no asset, show or episode (${s.key})` })));
  }

  const result: KeysAdded = { catalogId, added: [], revived: [], unchanged: [] };
  const writes: Record<string, unknown>[] = [];
  const written = new Map<string, ContentStamp>();
  const behind: [string, ContentStamp][] = [];
  for (const { key } of sent) {
    const content = contents.get(key) as ContentStamp;
    const member = members.get(key);
    if (member !== undefined && member.removedAt === undefined) {
      result.unchanged.push(key);
      // Its copy is older than the content: an edit whose propagation has not landed yet.
      if (content.updatedAt > member.contentUpdatedAt) behind.push([key, content]);
      continue;
    }
    (member === undefined ? result.added : result.revived).push(key);
    writes.push(liveMemberItem(catalogId, key, now, content, now));
    written.set(key, content);
  }
  await putMembers(writes);
  await Promise.all(behind.map(([key, content]) => refreshMemberCopy(catalogId, key, content, now)));

  // An edit that committed between the read above and the write may have been propagated
  // before this member was in the holder index (or been overwritten by the write): read the
  // content again, now that the member is written, and refresh any copy that fell behind. An
  // edit after this read finds the member through the index (lambdas/propagation).
  if (written.size > 0) {
    const after = await readContentStamps([...written.keys()]);
    await Promise.all(
      [...written].map(async ([key, copied]) => {
        const current = after.get(key);
        if (current !== undefined && current.updatedAt > copied.updatedAt) await refreshMemberCopy(catalogId, key, current, now);
      }),
    );
  }
  return result;
}

/**
 * Removes keys, softly: the member stays with `removedAt` (so a diff can answer since when it
 * is gone) and leaves the holder index. Removing a key that is not in the catalog, or removing
 * it twice, changes nothing (the first `removedAt` is kept).
 */
export async function removeKeys(catalogId: string, sent: readonly SentKey[], now: string): Promise<KeysRemoved> {
  await requireCatalogForWrite(catalogId);
  const members = await readMembers(
    catalogId,
    sent.map((s) => s.key),
  );
  const result: KeysRemoved = { catalogId, removed: [], unchanged: [] };
  const writes: Record<string, unknown>[] = [];
  for (const { key } of sent) {
    const member = members.get(key);
    if (member === undefined || member.removedAt !== undefined) {
      result.unchanged.push(key);
      continue;
    }
    result.removed.push(key);
    writes.push(removedMemberItem(member, now));
  }
  await putMembers(writes);
  return result;
}
