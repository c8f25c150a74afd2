import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { documentClient, tableName } from '../shared/dynamo';

/** A catalog asset (a title that can be watched). Catalog items are not user-owned. */
export const ASSET_ENTITY = 'asset';

export const assetItemSchema = z.object({
  entity: z.literal(ASSET_ENTITY),
  assetId: z.string(),
  title: z.string(),
  durationSeconds: z.number().int().optional(),
  regions: z.array(z.string()).optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  deletedAt: z.string().optional(),
});

export type Asset = Omit<z.infer<typeof assetItemSchema>, 'entity'>;

export interface AssetWrite {
  title: string;
  durationSeconds?: number | undefined;
  regions?: string[] | undefined;
}

const assetKey = (assetId: string) => ({ PK: `ASSET#${assetId}`, SK: 'ASSET' });

function assetFromItem(item: Record<string, unknown>): Asset {
  const { entity: _entity, ...asset } = assetItemSchema.parse(item);
  return asset;
}

/** Eventually consistent: half a read unit, and catalog edits are rare. */
export async function getAsset(assetId: string): Promise<Asset | undefined> {
  const output = await documentClient.send(new GetCommand({ TableName: tableName, Key: assetKey(assetId) }));
  return output.Item ? assetFromItem(output.Item) : undefined;
}

/** Creates or replaces an asset; a replaced asset keeps its createdAt and is no longer deleted. */
export async function putAsset(assetId: string, write: AssetWrite, now: string): Promise<Asset> {
  const set = ['entity = :entity', 'assetId = :assetId', 'title = :title', 'createdAt = if_not_exists(createdAt, :now)', 'updatedAt = :now'];
  const remove = ['deletedAt'];
  const values: Record<string, unknown> = { ':entity': ASSET_ENTITY, ':assetId': assetId, ':title': write.title, ':now': now };
  if (write.durationSeconds === undefined) remove.push('durationSeconds');
  else {
    set.push('durationSeconds = :duration');
    values[':duration'] = write.durationSeconds;
  }
  if (write.regions === undefined) remove.push('regions');
  else {
    set.push('regions = :regions');
    values[':regions'] = write.regions;
  }
  const output = await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: assetKey(assetId),
      UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`,
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
    }),
  );
  return assetFromItem(output.Attributes ?? {});
}

/**
 * Soft delete: the asset stays with a `deletedAt`, so every device that holds it learns of
 * the deletion. Deleting twice keeps the first deletion time. Undefined when no such asset.
 */
export async function softDeleteAsset(assetId: string, now: string): Promise<Asset | undefined> {
  try {
    const output = await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: assetKey(assetId),
        UpdateExpression: 'SET deletedAt = if_not_exists(deletedAt, :now), updatedAt = if_not_exists(deletedAt, :now)',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':now': now },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return assetFromItem(output.Attributes ?? {});
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}
