import * as z from 'zod';
import { uuidSchema } from '../shared/ids';
import { MAX_USER_ID_LENGTH } from '../shared/principal';
import { deliveryStates } from './message-items';
import { MAX_MESSAGE_BYTES, MAX_MESSAGE_SECONDS, MESSAGE_CONTENT_TYPES } from './message-limits';

/** User ids are token subjects: any id a token may carry can be sent a message. */
export const userIdSchema = z
  .string()
  .min(1)
  .max(MAX_USER_ID_LENGTH)
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'must be a user id (the recipient token\'s sub), without control characters');

export const newMessageSchema = z.strictObject({
  recipientId: userIdSchema,
  contentType: z.enum(MESSAGE_CONTENT_TYPES, { message: `must be one of ${MESSAGE_CONTENT_TYPES.join(', ')}` }),
  sizeBytes: z.number().int().min(1).max(MAX_MESSAGE_BYTES),
  durationSeconds: z.number().positive().max(MAX_MESSAGE_SECONDS).optional(),
});

export const messagePathSchema = z.strictObject({ messageId: uuidSchema });

export const stateChangeSchema = z.strictObject({
  // UPLOADED is the server's to set, on confirmation.
  state: z.enum(deliveryStates.filter((s) => s !== 'UPLOADED') as ['DOWNLOADED', 'VIEWED']),
});
