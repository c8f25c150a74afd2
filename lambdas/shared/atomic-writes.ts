import { type AttributeValue, type CancellationReason, ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, TransactWriteCommand, type TransactWriteCommandInput, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { documentClient } from './dynamo';
import { backoff } from './table-access';

/** One item of a write: a Put, Update, Delete or ConditionCheck, as a transaction lists them. */
export type WriteItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * Items a caller asks a store to write in the same request as the store's own write, so that
 * both happen or neither does: a sync push records each mutation's answer this way, so a crash
 * can never leave a mutation applied and unanswered. A store given these writes them with its
 * own write when it reports success, and alone when it succeeds without writing (an add of
 * something already there, a delete of something already gone). Built from what the store
 * wrote, because the answer carries it.
 */
export type Alongside<T> = (written: T) => readonly WriteItem[];

/**
 * A condition on an item written alongside failed, so nothing was written: for a recorded
 * answer, another request answered the same mutation first.
 */
export class AlongsideRefused extends Error {
  constructor() {
    super('a condition on an item written alongside failed; nothing was written');
    this.name = 'AlongsideRefused';
  }
}

/** Why one of the store's own items was not written. */
export interface Refusal {
  conditionFailed: boolean;
  /** The item as stored, when the write asked for it (`ReturnValuesOnConditionCheckFailure`). */
  stored?: Record<string, unknown>;
}

/** Cancellation codes that say "try again" rather than "this request is wrong". */
const TRANSIENT = new Set(['None', 'TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded']);
const MAX_ATTEMPTS = 6;

/**
 * Writes the store's own items and those alongside in one request: a single write when there
 * is one item in all (no transaction, so it costs what it always did), else one transaction.
 * Returns undefined when everything was written, or one refusal per own item when a condition
 * on one of them failed. Throws AlongsideRefused when a condition alongside failed; transaction
 * conflicts with other writers are retried here.
 */
export async function writeTogether(own: readonly WriteItem[], alongside: readonly WriteItem[] = []): Promise<Refusal[] | undefined> {
  const items = [...own, ...alongside];
  if (items.length === 0) return undefined;
  if (items.length === 1) return writeOne(items[0] as WriteItem, own.length === 0);
  for (let attempt = 0; ; attempt++) {
    await backoff(attempt);
    try {
      await documentClient.send(new TransactWriteCommand({ TransactItems: items }));
      return undefined;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      if (reasons.slice(own.length).some(isConditionFailure)) throw new AlongsideRefused();
      if (reasons.some(isConditionFailure)) return reasons.slice(0, own.length).map(refusalOf);
      if (reasons.length === 0 || !reasons.every((r) => TRANSIENT.has(r.Code ?? '')) || attempt + 1 >= MAX_ATTEMPTS) throw error;
    }
  }
}

async function writeOne(item: WriteItem, isAlongside: boolean): Promise<Refusal[] | undefined> {
  try {
    if (item.Put) await documentClient.send(new PutCommand(item.Put));
    else if (item.Update) await documentClient.send(new UpdateCommand(item.Update));
    else if (item.Delete) await documentClient.send(new DeleteCommand(item.Delete));
    else throw new Error('a condition check alone writes nothing');
    return undefined;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    if (isAlongside) throw new AlongsideRefused();
    return [{ conditionFailed: true, ...(error.Item ? { stored: unmarshall(error.Item) } : {}) }];
  }
}

const isConditionFailure = (reason: CancellationReason | undefined): boolean => reason?.Code === 'ConditionalCheckFailed';

function refusalOf(reason: CancellationReason): Refusal {
  return { conditionFailed: isConditionFailure(reason), ...(reason.Item ? { stored: unmarshall(reason.Item as Record<string, AttributeValue>) } : {}) };
}
