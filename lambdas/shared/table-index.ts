import { tableDefinition } from '../../lib/table-definition';

/**
 * The table's one global secondary index, by its names in the table definition. Each access
 * pattern that uses it owns its key format in one module: holders of a copy
 * (catalog/holders-index.ts), a show's episodes (catalog/episode-store.ts) and the list of
 * catalogs (catalogs/catalog-store.ts). Pure, so item modules can name it.
 */
const [globalIndex] = tableDefinition.globalIndexes;
export const INDEX = { name: globalIndex.indexName, partitionKey: globalIndex.partitionKey.name, sortKey: globalIndex.sortKey.name } as const;

/** The table's TTL attribute, named once (epoch seconds after which DynamoDB may delete an item). */
export const TTL_ATTRIBUTE = tableDefinition.ttlAttribute;

/** A condition expression with its placeholders, to combine with a write's own. */
export interface Condition {
  expression: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
}

/** The table's one local secondary index (same partition, another sort key; keys only), by its names in the table definition. */
const [localIndex] = tableDefinition.localIndexes;
export const LOCAL_INDEX = { name: localIndex.indexName, sortKey: localIndex.sortKey.name } as const;
