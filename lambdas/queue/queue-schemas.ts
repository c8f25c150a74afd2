import * as z from 'zod';
import { pageLimitSchema } from '../shared/paging';
import { queueStates } from './queue-item';

/** Finite and within ±1e15, so positions stay exact in JSON and in DynamoDB numbers. */
export const positionSchema = z.number().min(-1e15).max(1e15);

/** The body is optional: a bare PUT adds the episode at the end. */
export const putQueueEntrySchema = z.strictObject({ position: positionSchema.optional() }).optional();

/** A sync push's queue value: an upsert may move the entry and set its state at once. */
export const queueMutationValueSchema = z.strictObject({ position: positionSchema.optional(), state: z.enum(queueStates).optional() });

export const patchQueueEntrySchema = z.strictObject({ state: z.enum(queueStates), position: positionSchema.optional() });

/** `states`: comma-separated; by default the queue as it plays (queued and playing). */
export const listQueueQuerySchema = z.strictObject({
  limit: pageLimitSchema,
  cursor: z.string().max(1024).optional(),
  states: z
    .string()
    .max(100)
    .transform((text) => [...new Set(text.split(','))])
    .pipe(z.array(z.enum(queueStates)).min(1))
    .optional(),
});
