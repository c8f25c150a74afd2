/**
 * Copies of catalog content kept elsewhere (queue entries hold an episode's metadata, curated
 * catalog members hold an item's `updatedAt` / `deletedAt`) are "holders": each carries
 * `GSI1PK = HOLDERS#<content key>`, so an edit finds every copy through the index, with no
 * scan, and refreshes it (lambdas/propagation). A holder also keeps `contentUpdatedAt`, the
 * `updatedAt` of the content it copied, which makes a refresh idempotent: older news is ignored.
 */
export const holdersIndexKey = (contentKey: string): string => `HOLDERS#${contentKey}`;
