import * as z from 'zod';

/** Asset ids are UUIDs, accepted in any letter case and always stored and returned in lower case. */
export const assetIdSchema = z
  .string()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'must be a UUID')
  .transform((id) => id.toLowerCase());

export const assetPathSchema = z.strictObject({ assetId: assetIdSchema });
