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

/** A token's `sub` is the user id; longer ones are refused (Cognito subs are 36 characters). */
export const MAX_USER_ID_LENGTH = 256;

/**
 * A user id travels into DynamoDB keys, SQS message bodies (change notices, notifications) and
 * log lines, so it may hold only what all of them carry intact, and nothing that makes two ids
 * look alike. Refused, by code point:
 * - controls (`\p{Cc}`: C0, DEL, C1), so no newline, tab or NUL;
 * - spaces and separators (`\p{Z}`, U+2028 and U+2029 among them): a `sub` is a StringOrURI and
 *   no identity provider puts whitespace in one, while `alice ` would pass for `alice`;
 * - invisible format characters (`\p{Cf}`: zero-width space, BOM, bidi overrides), likewise;
 * - lone surrogates (`\p{Cs}` under the `u` flag; a proper pair is one astral code point and
 *   allowed): not Unicode text, and SQS refuses them;
 * - the 66 noncharacters (U+FDD0–U+FDEF and the last two of every plane, U+FFFE and U+FFFF
 *   among them): SQS refuses U+FFFE and U+FFFF, the rest are never meant to be interchanged.
 * What is left lies inside SQS's set (#x9 | #xA | #xD | #x20–#xD7FF | #xE000–#xFFFD |
 * #x10000–#x10FFFF). Letters of every script, private use and code points not yet assigned stay
 * valid, and so do Cognito's UUIDs, `auth0|…`, `google-oauth2|…` and emails. The length counts
 * UTF-16 code units, as JavaScript does: at most 768 bytes of UTF-8, well inside DynamoDB's
 * 2,048-byte partition key.
 */
const NOT_IN_A_USER_ID = /[\p{Cc}\p{Cf}\p{Cs}\p{Z}\p{Noncharacter_Code_Point}]/u;

/** The one schema for a user id wherever one enters: a token's `sub`, a message's recipient. */
export const userIdSchema = z
  .string()
  .min(1)
  .max(MAX_USER_ID_LENGTH)
  .refine((id) => !NOT_IN_A_USER_ID.test(id), 'must be a user id (a token sub): no control, format, space or separator characters, lone surrogates or noncharacters');
