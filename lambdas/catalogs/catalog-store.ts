import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { documentClient, tableName } from '../shared/dynamo';
import { INDEX, queryPage, updateExpression } from '../shared/table-access';
import type { Page } from '../shared/user-items';
import { CATALOG_ID_PATTERN } from './catalog-limits';
import type { CatalogWrite } from './catalog-schemas';

/**
 * A curated catalog: `CATALOG#<catalogId>` / `CATALOG`. Its members live in the same
 * partition (`KEY#<content key>`, catalog-member-store.ts), so one Query reads a catalog whole.
 * Every catalog is also in the index under `CATALOGS`, sorted by id, so they are listed without
 * a scan (one index partition for all catalogs: there are few, and they change rarely); this
 * module is the one place that knows that format.
 */
export const CATALOG_ENTITY = 'catalog';
const CATALOG_SORT_KEY = 'CATALOG';
const CATALOGS_INDEX_KEY = 'CATALOGS';

export const catalogPartitionKey = (catalogId: string): string => `CATALOG#${catalogId}`;
export const catalogHeaderKey = (catalogId: string) => ({ PK: catalogPartitionKey(catalogId), SK: CATALOG_SORT_KEY });
export const isCatalogHeader = (item: Record<string, unknown>): boolean => item.SK === CATALOG_SORT_KEY && item.entity === CATALOG_ENTITY;

export const catalogItemSchema = z.object({
  entity: z.literal(CATALOG_ENTITY),
  catalogId: z.string(),
  name: z.string(),
  description: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export type Catalog = Omit<z.infer<typeof catalogItemSchema>, 'entity'>;

export function catalogFromItem(item: Record<string, unknown>): Catalog {
  const { entity: _entity, ...catalog } = catalogItemSchema.parse(item);
  return catalog;
}

/**
 * Eventually consistent (half a read unit) for readers; writers that must not miss a catalog
 * created a moment ago (adding keys right after creating it) ask for a consistent read.
 */
export async function getCatalog(catalogId: string, options: { consistent: boolean }): Promise<Catalog | undefined> {
  const output = await documentClient.send(new GetCommand({ TableName: tableName, Key: catalogHeaderKey(catalogId), ConsistentRead: options.consistent }));
  return output.Item ? catalogFromItem(output.Item) : undefined;
}

/** Creates or replaces a catalog's name and description; `createdAt` is kept, a description left out is removed. */
export async function putCatalog(catalogId: string, write: CatalogWrite, now: string): Promise<Catalog> {
  const expression = updateExpression({
    set: { entity: CATALOG_ENTITY, catalogId, name: write.name, updatedAt: now, description: write.description, [INDEX.partitionKey]: CATALOGS_INDEX_KEY, [INDEX.sortKey]: catalogId },
    remove: write.description === undefined ? ['description'] : [],
    clauses: ['createdAt = if_not_exists(createdAt, :now)'],
  });
  const output = await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: catalogHeaderKey(catalogId),
      ...expression,
      ExpressionAttributeValues: { ...expression.ExpressionAttributeValues, ':now': now },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return catalogFromItem(output.Attributes ?? {});
}

/** One page of catalogs, by id. GSI reads are eventually consistent: a catalog created a moment ago may be listed a moment later. */
export async function listCatalogs(limit: number, afterCatalogId: string | undefined): Promise<Page<Catalog>> {
  const page = await queryPage(
    { TableName: tableName, IndexName: INDEX.name, KeyConditionExpression: '#pk = :pk', ExpressionAttributeNames: { '#pk': INDEX.partitionKey }, ExpressionAttributeValues: { ':pk': CATALOGS_INDEX_KEY } },
    limit,
    afterCatalogId === undefined ? undefined : { ...catalogHeaderKey(afterCatalogId), [INDEX.partitionKey]: CATALOGS_INDEX_KEY, [INDEX.sortKey]: afterCatalogId },
  );
  return { items: page.items.map(catalogFromItem), lastSortKey: page.more ? (page.items.at(-1)?.catalogId as string) : undefined };
}

/** A list cursor's content: a catalog id. */
export const isCatalogIdSortKey = (value: string): boolean => CATALOG_ID_PATTERN.test(value);
