import * as z from 'zod';

/** Catalog ids (assets, shows) are UUIDs, accepted in any letter case, stored and returned in lower case. */
export const uuidSchema = z
  .string()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'must be a UUID')
  .transform((id) => id.toLowerCase());

export const assetIdSchema = uuidSchema;
export const assetPathSchema = z.strictObject({ assetId: assetIdSchema });
export const showPathSchema = z.strictObject({ showId: uuidSchema });
export const episodePathSchema = z.strictObject({ showId: uuidSchema, episodeId: uuidSchema });
export const episodeIdPathSchema = z.strictObject({ episodeId: uuidSchema });
