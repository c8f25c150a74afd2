/**
 * The one definition of Playhead's single table. The CDK data stack and the local runtime
 * (DynamoDB Local) both build the table from this object, so they cannot drift apart.
 */
export interface KeyAttribute {
  name: string;
  type: 'S' | 'N';
}

export const tableDefinition = {
  partitionKey: { name: 'PK', type: 'S' } as KeyAttribute,
  sortKey: { name: 'SK', type: 'S' } as KeyAttribute,
  // No local secondary index: an LSI caps each user's item collection at 10 GB and makes every
  // indexed write cost extra write units; the change feed lives in the base table instead
  // (docs/SYNC.md).
  /** Catalog and reverse look-ups (items that are not keyed by their owner). */
  globalIndexes: [
    {
      indexName: 'GSI1',
      partitionKey: { name: 'GSI1PK', type: 'S' } as KeyAttribute,
      sortKey: { name: 'GSI1SK', type: 'S' } as KeyAttribute,
    },
  ],
  /** Epoch seconds after which DynamoDB may expire an item (tombstones, sessions). */
  ttlAttribute: 'expiresAt',
  streamViewType: 'NEW_AND_OLD_IMAGES' as const,
} as const;

export type TableDefinition = typeof tableDefinition;
