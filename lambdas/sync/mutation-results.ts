import { BatchGetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { tableDefinition } from '../../lib/table-definition';
import { documentClient, tableName } from '../shared/dynamo';
import { userPartitionKey } from '../shared/keys';
import { feedRetentionMs } from './feed-settings';
import type { MutationResult } from './mutations';

/**
 * `USER#<userId>` / `MUTATION#<deviceId>#<mutationId>`: the answer a device's mutation got. A
 * push sent again (its answer was lost) gets the stored answers back and applies nothing a
 * second time, so it cannot undo what other devices did in between. Kept for the feed's
 * retention window, like the local-id mapping: a device retrying later than that resyncs anyway.
 */
export const MUTATION_RESULT_ENTITY = 'mutation-result';

const resultKey = (userId: string, deviceId: string, mutationId: string) => ({ PK: userPartitionKey(userId), SK: `MUTATION#${deviceId}#${mutationId}` });

const storedSchema = z.object({ entity: z.literal(MUTATION_RESULT_ENTITY), mutationId: z.string(), result: z.string() });

/** The stored answers for these mutation ids (those the device sent before). */
export async function storedResults(userId: string, deviceId: string, mutationIds: string[]): Promise<Map<string, MutationResult>> {
  const found = new Map<string, MutationResult>();
  let keys = [...new Set(mutationIds)].map((id) => resultKey(userId, deviceId, id));
  for (let attempt = 0; keys.length > 0 && attempt < 5; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
    const output = await documentClient.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }));
    for (const item of output.Responses?.[tableName] ?? []) {
      const stored = storedSchema.parse(item);
      found.set(stored.mutationId, JSON.parse(stored.result) as MutationResult);
    }
    keys = (output.UnprocessedKeys?.[tableName]?.Keys ?? []) as typeof keys;
  }
  if (keys.length > 0) throw new Error('could not read stored mutation results');
  return found;
}

export async function storeResult(userId: string, deviceId: string, mutationId: string, result: MutationResult, nowMs: number): Promise<void> {
  await documentClient.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...resultKey(userId, deviceId, mutationId),
        entity: MUTATION_RESULT_ENTITY,
        mutationId,
        // As text: the answer is returned as it was, whatever JSON a record value holds.
        result: JSON.stringify(result),
        [tableDefinition.ttlAttribute]: Math.ceil((nowMs + feedRetentionMs) / 1000),
      },
    }),
  );
}
