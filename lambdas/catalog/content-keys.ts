import * as z from 'zod';
import { assetFromItem } from './asset-store';
import { assetKind, type CatalogKind, catalogKey, episodeKind, showKind } from './catalog-kinds';
import { episodeFromItem } from './episode-store';
import { showFromItem } from './show-store';

/**
 * Content keys name one catalog item across kinds: `asset:<id>`, `show:<id>`, `episode:<id>`.
 * Curated catalogs, diffs and batch gets speak in them; this is the one place that knows
 * their format and how each maps to a stored item and its public view.
 */
export const contentKinds = {
  asset: { kind: assetKind, view: assetFromItem },
  show: { kind: showKind, view: showFromItem },
  episode: { kind: episodeKind, view: episodeFromItem },
} as const satisfies Record<string, { kind: CatalogKind; view: (item: Record<string, unknown>) => unknown }>;

export type ContentKindName = keyof typeof contentKinds;

export interface ContentKey {
  kind: ContentKindName;
  id: string;
}

const CONTENT_KEY = /^(asset|show|episode):([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;

/** Accepts ids in any letter case; the key comes out in its one canonical (lower-case) spelling. */
export const contentKeySchema = z
  .string()
  .regex(CONTENT_KEY, 'must be asset:<uuid>, show:<uuid> or episode:<uuid>')
  .transform((key) => key.toLowerCase());

export const formatContentKey = (key: ContentKey): string => `${key.kind}:${key.id}`;

/** A canonical content key (already checked by `contentKeySchema`) → its parts. */
export function parseContentKey(key: string): ContentKey {
  const match = CONTENT_KEY.exec(key);
  if (!match) throw new Error(`not a content key: ${key}`);
  return { kind: match[1] as ContentKindName, id: (match[2] as string).toLowerCase() };
}

/** The table key of the catalog item a content key names. */
export function tableKeyOfContent(key: string): { PK: string; SK: string } {
  const { kind, id } = parseContentKey(key);
  return catalogKey(contentKinds[kind].kind, id);
}

/** The kinds alone, without their views: recognising an item needs no store. */
const kindsByName: Record<ContentKindName, CatalogKind> = { asset: assetKind, show: showKind, episode: episodeKind };

/** The content key of a stored catalog item, undefined for items that are not catalog content. */
export function contentKeyOfItem(item: Record<string, unknown>): string | undefined {
  for (const [name, kind] of Object.entries(kindsByName)) {
    if (item.entity === kind.entity && item.SK === kind.prefix) return `${name}:${String(item[kind.idAttribute])}`;
  }
  return undefined;
}

/** The public view of a stored catalog item, as its own GET route returns it. */
export function contentViewOfItem(item: Record<string, unknown>): unknown {
  const key = contentKeyOfItem(item);
  if (key === undefined) throw new Error('not a catalog item');
  return contentKinds[parseContentKey(key).kind].view(item);
}

