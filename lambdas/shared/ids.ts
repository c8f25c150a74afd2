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
 * A user id travels into DynamoDB keys, SQS message bodies (change notices, notifications),
 * presigned S3 keys and log lines, so it may hold only what every one of them takes intact.
 * Refused, as code points:
 * - controls (C0, DEL, C1: `\p{Cc}`), which include every line break but two, and those two,
 *   U+2028 and U+2029, with every other separator and space (`\p{Z}`): no IdP issues subs with
 *   whitespace (a `sub` is a StringOrURI), and an id with a trailing space would look like another;
 * - invisible format characters (`\p{Cf}`: zero-width space, BOM, bidi overrides), for the same
 *   reason;
 * - lone surrogates (`\p{Cs}` under the `u` flag; a pair is one astral code point and allowed),
 *   which are not Unicode text and which SQS refuses;
 * - the 66 noncharacters (U+FDD0–U+FDEF and the last two of every plane, U+FFFE and U+FFFF
 *   among them), which SQS refuses (it takes #x9, #xA, #xD, #x20–#xD7FF, #xE000–#xFFFD and
 *   #x10000–#x10FFFF; everything left here is inside that set).
 * Everything else stays valid, letters of any script, private use and code points not yet
 * assigned included: Cognito's UUIDs, `auth0|…`, `google-oauth2|…`, emails. The length is counted
 * in UTF-16 code units, as JavaScript counts: at most 768 bytes of UTF-8, well inside
 * DynamoDB's 2,048-byte partition key.
 */
const NOT_IN_A_USER_ID = /[\p{Cc}\p{Cf}\p{Cs}\p{Z}\p{Noncharacter_Code_Point}]/u;

/** The one schema for a user id wherever one enters: a token's `sub`, a message's recipient. */
export const userIdSchema = z
  .string()
  .min(1)
  .max(MAX_USER_ID_LENGTH)
  .refine((id) => !NOT_IN_A_USER_ID.test(id), 'must be a user id (a token sub): no control, format, space or separator characters, lone surrogates or noncharacters');
