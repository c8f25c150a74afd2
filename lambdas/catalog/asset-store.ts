import * as z from 'zod';
import { ASSET_ENTITY, assetKind } from './catalog-kinds';
import { getCatalogItem, putCatalogItem, softDeleteCatalogItem } from './catalog-item-store';

/** A catalog asset (a title that can be watched): `ASSET#<id>` / `ASSET`. */
export { ASSET_ENTITY, assetKind } from './catalog-kinds';

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

export function assetFromItem(item: Record<string, unknown>): Asset {
  const { entity: _entity, ...asset } = assetItemSchema.parse(item);
  return asset;
}

export async function getAsset(assetId: string): Promise<Asset | undefined> {
  const item = await getCatalogItem(assetKind, assetId);
  return item ? assetFromItem(item) : undefined;
}

export async function putAsset(assetId: string, write: AssetWrite, now: string): Promise<Asset> {
  const fields = { title: write.title, durationSeconds: write.durationSeconds, regions: write.regions };
  return assetFromItem(await putCatalogItem(assetKind, assetId, fields, ['durationSeconds', 'regions'], now));
}

export async function softDeleteAsset(assetId: string, now: string): Promise<Asset | undefined> {
  const item = await softDeleteCatalogItem(assetKind, assetId, now);
  return item ? assetFromItem(item) : undefined;
}
