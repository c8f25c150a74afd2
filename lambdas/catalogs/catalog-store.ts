import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { documentClient, tableName } from '../shared/dynamo';
import { queryPage } from '../shared/query-page';
import type { Page } from '../shared/user-items';
import { CATALOG_ID_PATTERN } from './catalog-limits';
import type { CatalogWrite } from './catalog-schemas';

/**
 * A curated catalog: `CATALOG#<catalogId>` / `CATALOG`. Its members live in the same
 * partition (`KEY#<content key>`, catalog-member-store.ts), so one Query reads a catalog whole.
 * Every catalog is also in GSI1 under `CATALOGS`, sorted by id, so they are listed without a
 * scan. (One index partition for all catalogs: there are few, and they change rarely.)
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
  const set = ['entity = :entity', 'catalogId = :id', '#name = :name', 'createdAt = if_not_exists(createdAt, :now)', 'updatedAt = :now', 'GSI1PK = :gpk', 'GSI1SK = :id'];
  const values: Record<string, unknown> = { ':entity': CATALOG_ENTITY, ':id': catalogId, ':name': write.name, ':now': now, ':gpk': CATALOGS_INDEX_KEY };
  if (write.description !== undefined) {
    set.push('description = :description');
    values[':description'] = write.description;
  }
  const output = await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: catalogHeaderKey(catalogId),
      UpdateExpression: `SET ${set.join(', ')}${write.description === undefined ? ' REMOVE description' : ''}`,
      ExpressionAttributeNames: { '#name': 'name' },
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
    }),
  );
  return catalogFromItem(output.Attributes ?? {});
}

/** One page of catalogs, by id. GSI reads are eventually consistent: a catalog created a moment ago may be listed a moment later. */
export async function listCatalogs(limit: number, afterCatalogId: string | undefined): Promise<Page<Catalog>> {
  const page = await queryPage(
    { TableName: tableName, IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': CATALOGS_INDEX_KEY } },
    limit,
    afterCatalogId === undefined ? undefined : { ...catalogHeaderKey(afterCatalogId), GSI1PK: CATALOGS_INDEX_KEY, GSI1SK: afterCatalogId },
  );
  return { items: page.items.map(catalogFromItem), lastSortKey: page.more ? (page.items.at(-1)?.catalogId as string) : undefined };
}

/** A list cursor's content: a catalog id. */
export const isCatalogIdSortKey = (value: string): boolean => CATALOG_ID_PATTERN.test(value);
