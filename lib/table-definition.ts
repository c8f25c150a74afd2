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
  /**
   * Local secondary indexes can only be created with the table, and the table is retained
   * forever, so the change-feed index exists from day one: (PK, feedSeq) lets one strongly
   * consistent query read a user's changes in sequence order.
   */
  localIndexes: [{ indexName: 'feed', sortKey: { name: 'feedSeq', type: 'N' } as KeyAttribute }],
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
