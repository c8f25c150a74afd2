import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '../shared/dynamo';

/**
 * Catalog items (assets, shows) are shared, not user-owned: `<KIND>#<id>` / `<KIND>`. This module
 * holds the writes they have in common: replace with `createdAt` kept, and soft delete.
 */
export interface CatalogKind {
  /** Key prefix and sort key, e.g. `SHOW`. */
  prefix: string;
  entity: string;
  /** Attribute that holds the item's id, e.g. `showId`. */
  idAttribute: string;
}

export const catalogKey = (kind: CatalogKind, id: string) => ({ PK: `${kind.prefix}#${id}`, SK: kind.prefix });

/** Index attributes a catalog item may carry (episodes: newest-first per show); a deleted item leaves the index. */
const INDEX_ATTRIBUTES = ['GSI1PK', 'GSI1SK'];

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

/**
 * Creates or replaces an item: fields given are set, optional fields left out are removed, and a
 * replaced item keeps its `createdAt` and is no longer deleted.
 */
export async function putCatalogItem(
  kind: CatalogKind,
  id: string,
  fields: Record<string, unknown>,
  optionalFields: readonly string[],
  now: string,
  condition?: ReplaceCondition,
): Promise<Record<string, unknown>> {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':entity': kind.entity, ':id': id, ':now': now };
  const set = ['entity = :entity', `#id = :id`, 'createdAt = if_not_exists(createdAt, :now)', 'updatedAt = :now'];
  names['#id'] = kind.idAttribute;
  const remove = ['deletedAt'];
  Object.entries(fields).forEach(([name, value], index) => {
    if (value === undefined) return;
    names[`#f${index}`] = name;
    values[`:f${index}`] = value;
    set.push(`#f${index} = :f${index}`);
  });
  optionalFields.forEach((name, index) => {
    if (fields[name] !== undefined) return;
    names[`#o${index}`] = name;
    remove.push(`#o${index}`);
  });
  const output = await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: catalogKey(kind, id),
      UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: { ...values, ...condition?.values },
      ...(condition ? { ConditionExpression: `attribute_not_exists(PK) OR (${condition.expression})` } : {}),
      ReturnValues: 'ALL_NEW',
    }),
  );
  return output.Attributes ?? {};
}

/**
 * Soft delete: the item stays with a `deletedAt`, so every device that holds it learns of the
 * deletion. Deleting twice keeps the first time. Undefined when there is no such item.
 */
export async function softDeleteCatalogItem(kind: CatalogKind, id: string, now: string): Promise<Record<string, unknown> | undefined> {
  try {
    const output = await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: catalogKey(kind, id),
        UpdateExpression: `SET deletedAt = if_not_exists(deletedAt, :now), updatedAt = if_not_exists(deletedAt, :now) REMOVE ${INDEX_ATTRIBUTES.join(', ')}`,
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':now': now },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return output.Attributes;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}
