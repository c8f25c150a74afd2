import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { documentClient } from './dynamo';

type Item = Record<string, unknown>;

/**
 * One page of a query. It asks for one item more than the page (plus `slack`, for items
 * `keep` may drop) so that "more remain" is known exactly, not guessed from DynamoDB's
 * LastEvaluatedKey (which is also set when the last page is exactly full).
 */
export async function queryPage(
  input: Omit<QueryCommandInput, 'Limit' | 'ExclusiveStartKey'>,
  limit: number,
  startKey: Item | undefined,
  options: { keep?: (item: Item) => boolean; slack?: number } = {},
): Promise<{ items: Item[]; more: boolean }> {
  const collected: Item[] = [];
  let next = startKey;
  do {
    const output = await documentClient.send(new QueryCommand({ ...input, ExclusiveStartKey: next, Limit: limit + 1 + (options.slack ?? 0) - collected.length }));
    const items = output.Items ?? [];
    collected.push(...(options.keep ? items.filter(options.keep) : items));
    next = output.LastEvaluatedKey;
  } while (next !== undefined && collected.length <= limit);
  return { items: collected.slice(0, limit), more: collected.length > limit };
}
