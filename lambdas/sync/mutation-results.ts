import * as z from 'zod';
import { AlongsideRefused, type WriteItem, writeTogether } from '../shared/atomic-writes';
import { tableName } from '../shared/dynamo';
import { userPartitionKey } from '../shared/keys';
import { batchGetItems, expiresAt } from '../shared/table-access';
import { feedRetentionMs } from './feed-settings';
import type { MutationResult } from '../shared/sync-contract';

/**
 * `USER#<userId>` / `MUTATION#<deviceId>#<mutationId>`: the answer a device's mutation got,
 * written in the same request as the mutation's effect. A push sent again (its answer was lost,
 * or it is still running) gets the stored answers back and applies nothing a second time, so it
 * cannot undo what other devices did in between. Kept for the feed's retention window, like the
 * local-id mapping: a device retrying later than that resyncs anyway.
 */
export const MUTATION_RESULT_ENTITY = 'mutation-result';

const resultKey = (userId: string, deviceId: string, mutationId: string) => ({ PK: userPartitionKey(userId), SK: `MUTATION#${deviceId}#${mutationId}` });

const storedSchema = z.object({ entity: z.literal(MUTATION_RESULT_ENTITY), mutationId: z.string(), result: z.string() });

/** The stored answers for these mutation ids (those the device sent before). */
export async function storedResults(userId: string, deviceId: string, mutationIds: string[]): Promise<Map<string, MutationResult>> {
  const items = await batchGetItems(
    [...new Set(mutationIds)].map((id) => resultKey(userId, deviceId, id)),
    { consistent: true },
  );
  return new Map(items.map((item) => storedSchema.parse(item)).map((stored) => [stored.mutationId, JSON.parse(stored.result) as MutationResult]));
}

/**
 * The write that records a mutation's answer, on condition that none is recorded yet: a store
 * makes it together with the write that applies the mutation (see atomic-writes.ts), so
 * applying and answering are one step, and of two pushes racing with the same mutation only
 * one applies it.
 */
export function answerWrite(userId: string, deviceId: string, mutationId: string, result: MutationResult, nowMs: number): WriteItem {
  return {
    Put: {
      TableName: tableName,
      Item: {
        ...resultKey(userId, deviceId, mutationId),
        entity: MUTATION_RESULT_ENTITY,
        mutationId,
        // As text: the answer is returned as it was, whatever JSON a record value holds.
        result: JSON.stringify(result),
        ...expiresAt(nowMs + feedRetentionMs),
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  };
}

/** The answer recorded for one mutation id; it must exist (a condition on it just failed). */
export async function recordedAnswer(userId: string, deviceId: string, mutationId: string): Promise<MutationResult> {
  const answer = (await storedResults(userId, deviceId, [mutationId])).get(mutationId);
  if (answer === undefined) throw new Error(`mutation ${mutationId} has no recorded answer`);
  return answer;
}

/**
 * Records an answer that came with no write (a rejection, a conflict); when another push
 * answered the same mutation first, that answer stands and is returned instead.
 */
export async function recordAnswer(userId: string, deviceId: string, mutationId: string, result: MutationResult, nowMs: number): Promise<MutationResult> {
  try {
    await writeTogether([], [answerWrite(userId, deviceId, mutationId, result, nowMs)]);
    return result;
  } catch (error) {
    if (!(error instanceof AlongsideRefused)) throw error;
    return recordedAnswer(userId, deviceId, mutationId);
  }
}
