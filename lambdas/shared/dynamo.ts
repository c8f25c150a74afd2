import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TABLE_NAME_ENV } from '../../lib/queue-definitions';
import { recordConsumedCapacity } from './capacity-meter';
import { requireEnv } from './config';

/** The table every data module reads and writes; fails the cold start when unset. */
export const tableName = requireEnv(TABLE_NAME_ENV);

const READ_COMMANDS = new Set(['GetItemCommand', 'QueryCommand', 'BatchGetItemCommand', 'TransactGetItemsCommand', 'ScanCommand']);

const baseClient = new DynamoDBClient({});

/**
 * Every call asks for its consumed capacity (it costs nothing) so each request's log line,
 * and the bench, report the request units it really used.
 */
baseClient.middlewareStack.add(
  (next, context) => async (args) => {
    const input = args.input as { ReturnConsumedCapacity?: string };
    input.ReturnConsumedCapacity ??= 'TOTAL';
    const result = await next(args);
    const output = result.output as { ConsumedCapacity?: Parameters<typeof recordConsumedCapacity>[0] };
    recordConsumedCapacity(output.ConsumedCapacity, READ_COMMANDS.has(context.commandName ?? '') ? 'read' : 'write');
    return result;
  },
  { step: 'initialize', name: 'playheadConsumedCapacity' },
);

export const documentClient = DynamoDBDocumentClient.from(baseClient, {
  marshallOptions: { removeUndefinedValues: true },
});
