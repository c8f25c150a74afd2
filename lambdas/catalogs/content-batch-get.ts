import { contentKeyOfItem, contentViewOfItem, tableKeyOfContent } from '../catalog/content-keys';
import { batchGetItems } from '../shared/table-access';

export interface ContentBatch {
  /** In the order the keys were asked for. */
  items: { key: string; item: unknown }[];
  notFound: string[];
}

/**
 * The public view of each content item named (as its own GET route returns it), from one
 * BatchGetItem of at most 100 keys. Eventually consistent, half a read unit per item up to 4 KB:
 * replicas lag by well under a second, and an edit that a stale read missed is listed again by
 * the client's next diff (its `asOf` overlaps the minute before, catalog-diff.ts).
 */
export async function batchGetContent(keys: readonly string[]): Promise<ContentBatch> {
  const found = new Map<string, Record<string, unknown>>();
  for (const item of await batchGetItems(keys.map(tableKeyOfContent), { consistent: false })) {
    const key = contentKeyOfItem(item);
    if (key !== undefined) found.set(key, item);
  }
  const batch: ContentBatch = { items: [], notFound: [] };
  for (const key of keys) {
    const item = found.get(key);
    if (item === undefined) batch.notFound.push(key);
    else batch.items.push({ key, item: contentViewOfItem(item) });
  }
  return batch;
}
