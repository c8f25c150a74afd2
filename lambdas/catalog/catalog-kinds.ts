/**
 * The kinds of catalog item, as plain data: each one's key prefix, entity name and id attribute.
 * Catalog items are shared, not user-owned: `<KIND>#<id>` / `<KIND>`. Kept apart from the stores
 * so that code which only recognises catalog items (the stream router) carries no store.
 */
export interface CatalogKind {
  /** Key prefix and sort key, e.g. `SHOW`. */
  prefix: string;
  entity: string;
  /** Attribute that holds the item's id, e.g. `showId`. */
  idAttribute: string;
}

export const ASSET_ENTITY = 'asset';
export const SHOW_ENTITY = 'show';
export const EPISODE_ENTITY = 'episode';

export const assetKind: CatalogKind = { prefix: 'ASSET', entity: ASSET_ENTITY, idAttribute: 'assetId' };
export const showKind: CatalogKind = { prefix: 'SHOW', entity: SHOW_ENTITY, idAttribute: 'showId' };
export const episodeKind: CatalogKind = { prefix: 'EPISODE', entity: EPISODE_ENTITY, idAttribute: 'episodeId' };

export const catalogKey = (kind: CatalogKind, id: string) => ({ PK: `${kind.prefix}#${id}`, SK: kind.prefix });
