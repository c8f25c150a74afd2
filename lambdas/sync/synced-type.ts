/**
 * What the change feed needs to know about one kind of user-owned item. Each data module
 * describes its own items (one fact, one place); lambdas/sync/synced-types.ts lists them.
 */
export interface SyncedType {
  /** Public type name in the feed and in sync mutations, e.g. `watchlist`. */
  type: string;
  /** The item's `entity` attribute. */
  entity: string;
  /** Sort-key prefix of these items in the user's partition (snapshots read by prefix). */
  sortPrefix: string;
  /** The public key of an item within its type (asset id, `dataset/key`, …). */
  keyOf(item: Record<string, unknown>): string;
  /** The public JSON value of an item, as the type's own GET route returns it. */
  viewOf(item: Record<string, unknown>): unknown;
}
