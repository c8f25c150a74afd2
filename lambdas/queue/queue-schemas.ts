import * as z from 'zod';
import { MAX_DURATION_SECONDS } from '../catalog/asset-schemas';
import { pageLimitSchema } from '../shared/paging';
import { queueStates } from './queue-item';

/** Finite and within ±1e15, so positions stay exact in JSON and in DynamoDB numbers. */
export const positionSchema = z.number().min(-1e15).max(1e15);

/** Whole seconds into the episode; the upper bound is the episode's duration, checked by the rule. */
export const playbackSecondsSchema = z.number().int().min(0).max(MAX_DURATION_SECONDS);

/** The body is optional: a bare PUT adds the episode at the end. */
export const putQueueEntrySchema = z.strictObject({ position: positionSchema.optional(), playbackSeconds: playbackSecondsSchema.optional() }).optional();

/** A sync push's queue value: an upsert may move the entry, set its state and its playback position at once. */
export const queueMutationValueSchema = z.strictObject({ position: positionSchema.optional(), state: z.enum(queueStates).optional(), playbackSeconds: playbackSecondsSchema.optional() });

/** At least one change; without a state the entry keeps its own. */
export const patchQueueEntrySchema = z
  .strictObject({ state: z.enum(queueStates).optional(), position: positionSchema.optional(), playbackSeconds: playbackSecondsSchema.optional() })
  .refine((body) => body.state !== undefined || body.position !== undefined || body.playbackSeconds !== undefined, {
    message: 'must change state, position or playbackSeconds',
    path: ['state'],
  });

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
