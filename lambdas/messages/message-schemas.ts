import * as z from 'zod';
import { userIdSchema, uuidSchema } from '../shared/ids';
import { deliveryStates } from './message-items';
import { MAX_MESSAGE_BYTES, MAX_MESSAGE_SECONDS, MESSAGE_CONTENT_TYPES } from './message-limits';

export const newMessageSchema = z.strictObject({
  // The schema every token's sub passes: any user who can sign in can be sent a message, and nothing else.
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
