import { contentKeyOfItem, contentViewOfItem, tableKeyOfContent } from '../catalog/content-keys';
import { catalogReader } from '../catalog/catalog-reader';

export interface ContentBatch {
  /** In the order the keys were asked for. */
  items: { key: string; item: unknown }[];
  notFound: string[];
}

/**
 * The public view of each content item named (as its own GET route returns it), through the
 * catalog reader: at most one BatchGetItem of at most 100 keys for those the container has not
 * kept. Eventually consistent, half a read unit per item up to 4 KB: a copy is at most the
 * cache's TTL old (seconds, lib/dax-settings.ts), and an edit that a stale read missed is listed
 * again by the client's next diff (its `asOf` overlaps the minute before, catalog-diff.ts).
 */
export async function batchGetContent(keys: readonly string[]): Promise<ContentBatch> {
  const found = new Map<string, Record<string, unknown>>();
  for (const item of await catalogReader.items(keys.map(tableKeyOfContent))) {
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
