import { catalogCacheSettings } from '../../lib/dax-settings';

type Item = Record<string, unknown>;

/**
 * Catalog items a container has read, each kept for `ttlMs` and at most `maxEntries` of them
 * (the oldest read goes first). Only items that exist are kept: an absent item is asked for
 * again, so a title published a moment ago is found at once. Callers get a copy, so no caller
 * can change what the next one reads.
 */
export class CatalogItemCache {
  private readonly entries = new Map<string, { item: Item; expiresAt: number }>();

  constructor(
    readonly ttlMs: number = catalogCacheSettings.ttlMs,
    readonly maxEntries: number = catalogCacheSettings.maxEntries,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): Item | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return structuredClone(entry.item);
  }

  set(key: string, item: Item): void {
    if (this.ttlMs <= 0 || this.maxEntries <= 0) return;
    this.entries.delete(key);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    this.entries.set(key, { item: structuredClone(item), expiresAt: this.now() + this.ttlMs });
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

export const cacheKeyOf = (key: { PK: string; SK: string }): string => `${key.PK}\u0000${key.SK}`;

/** The one cache of this container (module state lives as long as the Lambda container). */
export const containerCatalogCache = new CatalogItemCache();

/**
 * A catalog write made in this container drops the copy this container kept, so a container
 * reads its own edits at once; other containers see them when their copy expires.
 */
export function forgetCatalogItem(key: { PK: string; SK: string }): void {
  containerCatalogCache.forget(cacheKeyOf(key));
}
