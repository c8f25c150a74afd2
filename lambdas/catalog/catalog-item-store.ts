import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type Refusal, type WriteItem, writeTogether } from '../shared/atomic-writes';
import { documentClient, tableName } from '../shared/dynamo';
import { INDEX, updateExpression, whenConditionHolds } from '../shared/table-access';

import { type CatalogKind, catalogKey } from './catalog-kinds';
import { forgetCatalogItem } from './catalog-reader-cache';

/**
 * Catalog items (assets, shows, episodes; their kinds in catalog-kinds.ts). This module holds the
 * writes they have in common: replace with `createdAt` kept, and soft delete. Each write, once
 * made, drops this container's cached copy (catalog-reader-cache.ts), so a container reads its
 * own edits at once.
 */
export { type CatalogKind, catalogKey } from './catalog-kinds';

/** Index attributes a catalog item may carry (episodes: newest-first per show); a deleted item leaves the index. */
const INDEX_ATTRIBUTES = [INDEX.partitionKey, INDEX.sortKey];

/** A condition an existing item must meet before it is replaced; a new item always may be written. */
export interface ReplaceCondition {
  expression: string;
  values: Record<string, unknown>;
}

/** Eventually consistent by default: half a read unit, and catalog edits are rare. */
export async function getCatalogItem(kind: CatalogKind, id: string, consistent = false): Promise<Record<string, unknown> | undefined> {
  const output = await documentClient.send(new GetCommand({ TableName: tableName, Key: catalogKey(kind, id), ConsistentRead: consistent }));
  return output.Item;
}

/** An update of one catalog item, as a transaction lists it. */
export type CatalogItemUpdate = NonNullable<WriteItem['Update']>;

/**
 * The update that creates or replaces an item: fields given are set, optional fields left out
 * are removed, and a replaced item keeps its `createdAt` and is no longer deleted.
 */
export function catalogItemUpdate(
  kind: CatalogKind,
  id: string,
  fields: Record<string, unknown>,
  optionalFields: readonly string[],
  now: string,
  condition?: ReplaceCondition,
): CatalogItemUpdate {
  const expression = updateExpression({
    set: { entity: kind.entity, [kind.idAttribute]: id, updatedAt: now, ...fields },
    remove: ['deletedAt', ...optionalFields.filter((name) => fields[name] === undefined)],
    clauses: ['createdAt = if_not_exists(createdAt, :now)'],
  });
  return {
    TableName: tableName,
    Key: catalogKey(kind, id),
    ...expression,
    ExpressionAttributeValues: { ...expression.ExpressionAttributeValues, ':now': now, ...condition?.values },
    ...(condition ? { ConditionExpression: `attribute_not_exists(PK) OR (${condition.expression})` } : {}),
  };
}

/** Creates or replaces an item (see catalogItemUpdate) and returns it as stored. */
export async function putCatalogItem(
  kind: CatalogKind,
  id: string,
  fields: Record<string, unknown>,
  optionalFields: readonly string[],
  now: string,
  condition?: ReplaceCondition,
): Promise<Record<string, unknown>> {
  const output = await documentClient
    .send(new UpdateCommand({ ...catalogItemUpdate(kind, id, fields, optionalFields, now, condition), ReturnValues: 'ALL_NEW' }))
    .finally(() => forgetCatalogItem(catalogKey(kind, id)));
  return output.Attributes ?? {};
}

/**
 * An item's update and the look-up items that go with it (a show's feed URL, an episode's
 * guid), in one transaction: refusals as writeTogether reports them, the update's first.
 */
export async function writeCatalogItemWith(kind: CatalogKind, id: string, update: CatalogItemUpdate, others: readonly WriteItem[]): Promise<Refusal[] | undefined> {
  return writeTogether([{ Update: update }, ...others]).finally(() => forgetCatalogItem(catalogKey(kind, id)));
}

/**
 * Soft delete: the item stays with a `deletedAt`, so every device that holds it learns of the
 * deletion. Deleting twice keeps the first time. Undefined when there is no such item.
 */
export async function softDeleteCatalogItem(kind: CatalogKind, id: string, now: string): Promise<Record<string, unknown> | undefined> {
  const output = await whenConditionHolds(
    documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: catalogKey(kind, id),
        UpdateExpression: `SET deletedAt = if_not_exists(deletedAt, :now), updatedAt = if_not_exists(deletedAt, :now) REMOVE ${INDEX_ATTRIBUTES.join(', ')}`,
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':now': now },
        ReturnValues: 'ALL_NEW',
      }),
    ),
  ).finally(() => forgetCatalogItem(catalogKey(kind, id)));
  return output?.Attributes;
}
