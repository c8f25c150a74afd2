import * as z from 'zod';
import { SHOW_ENTITY, showKind } from './catalog-kinds';
import { getCatalogItem, putCatalogItem, softDeleteCatalogItem } from './catalog-item-store';

/** A podcast or programme that users can follow: `SHOW#<id>` / `SHOW`. */
export { SHOW_ENTITY, showKind } from './catalog-kinds';

export const MAX_DESCRIPTION_LENGTH = 4000;

export const showItemSchema = z.object({
  entity: z.literal(SHOW_ENTITY),
  showId: z.string(),
  title: z.string(),
  description: z.string().optional(),
  imageUrl: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  deletedAt: z.string().optional(),
});

export type Show = Omit<z.infer<typeof showItemSchema>, 'entity'>;

export const showWriteSchema = z.strictObject({
  title: z.string().trim().min(1).max(500),
  description: z.string().max(MAX_DESCRIPTION_LENGTH).optional(),
  imageUrl: z.url({ protocol: /^https$/, message: 'must be an https URL' }).max(2048).optional(),
});

export type ShowWrite = z.infer<typeof showWriteSchema>;

export function showFromItem(item: Record<string, unknown>): Show {
  const { entity: _entity, ...show } = showItemSchema.parse(item);
  return show;
}

export async function getShow(showId: string): Promise<Show | undefined> {
  const item = await getCatalogItem(showKind, showId);
  return item ? showFromItem(item) : undefined;
}

export async function putShow(showId: string, write: ShowWrite, now: string): Promise<Show> {
  return showFromItem(await putCatalogItem(showKind, showId, { ...write }, ['description', 'imageUrl'], now));
}

export async function softDeleteShow(showId: string, now: string): Promise<Show | undefined> {
  const item = await softDeleteCatalogItem(showKind, showId, now);
  return item ? showFromItem(item) : undefined;
}
