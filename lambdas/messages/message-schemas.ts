import * as z from 'zod';
import { uuidSchema } from '../shared/ids';
import { deliveryStates } from './message-items';
import { MAX_MESSAGE_BYTES, MAX_MESSAGE_SECONDS, MESSAGE_CONTENT_TYPES } from './message-limits';

/** User ids are token subjects; this is what Playhead accepts as one (Cognito subs, test ids, emails). */
export const userIdSchema = z.string().regex(/^[A-Za-z0-9._@:+-]{1,128}$/, 'must be a user id: 1-128 characters of A-Z a-z 0-9 . _ @ : + -');

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
