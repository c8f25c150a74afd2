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
   * A sparse local secondary index that no item populates today, so it costs no write units.
   * Its presence matters: in a table with a local secondary index DynamoDB keeps each item
   * collection (all of one user's items) in one partition, capped at 10 GB, so one user's
   * changes reach the stream router through one shard, one batch at a time. The change feed's
   * numbering relies on that single writer per user (docs/SYNC.md). It can only be created with
   * the table, which is retained, so it exists from the start.
   */
  localIndexes: [{ indexName: 'LSI1', sortKey: { name: 'LSI1SK', type: 'S' } as KeyAttribute }],
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
