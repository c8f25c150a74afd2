import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '../shared/dynamo';
import { conditional, expiresAt, TTL_ATTRIBUTE, ttlSeconds } from '../shared/table-access';
import { allUserItems } from '../shared/user-items';
import {
  type DeliveryState,
  deliveryStates,
  INBOX_ENTITY,
  INBOX_SORT_PREFIX,
  type InboxSlot,
  inboxKey,
  inboxSlotSchema,
  MESSAGE_ENTITY,
  type MessageItem,
  messageItemSchema,
  messageKey,
  OUTBOX_ENTITY,
  OUTBOX_SORT_PREFIX,
  outboxKey,
  outboxSlotSchema,
  type OutboxSlot,
  stateRank,
} from './message-items';

/** The table's TTL attribute: DynamoDB deletes a message and its slots some time after it. */
const expiresAtIso = (iso: string) => expiresAt(Date.parse(iso));
const TTL = { '#ttl': TTL_ATTRIBUTE };

export async function putPendingMessage(message: MessageItem, expiresAtTime: string): Promise<void> {
  await documentClient.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...messageKey(message.messageId), ...message, entity: MESSAGE_ENTITY, ...expiresAtIso(expiresAtTime) },
      ConditionExpression: 'attribute_not_exists(PK)',
    }),
  );
}

/** Strongly consistent: every step decides from the message's latest status. */
export async function getMessage(messageId: string): Promise<MessageItem | undefined> {
  const output = await documentClient.send(new GetCommand({ TableName: tableName, Key: messageKey(messageId), ConsistentRead: true }));
  return output.Item ? messageItemSchema.parse(output.Item) : undefined;
}

export async function getInboxSlot(recipientId: string, senderId: string): Promise<InboxSlot | undefined> {
  const output = await documentClient.send(new GetCommand({ TableName: tableName, Key: inboxKey(recipientId, senderId), ConsistentRead: true }));
  return output.Item ? inboxSlotSchema.parse(output.Item) : undefined;
}

/** Ends a message that never reached the slots: refused, or overtaken by a newer one. Only a pending one. */
export async function closePendingMessage(messageId: string, status: 'REJECTED' | 'REPLACED', reason: string | undefined): Promise<boolean> {
  return conditional(
    documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: messageKey(messageId),
        UpdateExpression: reason === undefined ? 'SET #status = :status' : 'SET #status = :status, rejectedBecause = :reason',
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': status, ':pending': 'PENDING', ...(reason === undefined ? {} : { ':reason': reason }) },
      }),
    ),
  );
}

export type DeliveryOutcome = 'delivered' | 'already-settled' | 'newer-message-present' | 'conflict';

/**
 * Delivers an uploaded message in one transaction: the message becomes UPLOADED (only from
 * PENDING, so a second confirmation changes nothing) and takes both slots of its pair, unless
 * a newer message from the same sender already holds them (uploads may be confirmed out of order).
 */
export async function deliverMessage(message: MessageItem, now: string, slotExpiresAt: string, messageExpiresAt: string): Promise<DeliveryOutcome> {
  const common = {
    messageId: message.messageId,
    state: 'UPLOADED' satisfies DeliveryState,
    contentType: message.contentType,
    sizeBytes: message.sizeBytes,
    ...(message.durationSeconds === undefined ? {} : { durationSeconds: message.durationSeconds }),
    createdAt: message.createdAt,
    updatedAt: now,
  };
  const olderOnly = { ConditionExpression: 'attribute_not_exists(PK) OR createdAt < :createdAt OR (createdAt = :createdAt AND messageId < :messageId)', ExpressionAttributeValues: { ':createdAt': message.createdAt, ':messageId': message.messageId } };
  try {
    await documentClient.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: tableName,
              Key: messageKey(message.messageId),
              // The message item outlives its slots a little, so a late call still finds who it belongs to.
              UpdateExpression: 'SET #status = :uploaded, uploadedAt = :now, #ttl = :expires',
              ConditionExpression: '#status = :pending',
              ExpressionAttributeNames: { '#status': 'status', ...TTL },
              ExpressionAttributeValues: { ':uploaded': 'UPLOADED', ':pending': 'PENDING', ':now': now, ':expires': ttlSeconds(Date.parse(messageExpiresAt)) },
            },
          },
          {
            Put: {
              TableName: tableName,
              // The recipient's copy goes when the video does (bucket lifecycle), so no packet lists a video that is gone.
              Item: { ...inboxKey(message.recipientId, message.senderId), entity: INBOX_ENTITY, senderId: message.senderId, ...common, ...expiresAtIso(slotExpiresAt) },
              ...olderOnly,
            },
          },
          {
            Put: {
              TableName: tableName,
              // Kept as long as the video could be: long enough for the sender to see its fate, then gone, so packets stay small.
              Item: { ...outboxKey(message.senderId, message.recipientId), entity: OUTBOX_ENTITY, recipientId: message.recipientId, ...common, ...expiresAtIso(messageExpiresAt) },
              ...olderOnly,
            },
          },
        ],
      }),
    );
    return 'delivered';
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const [messageReason, inboxReason, outboxReason] = error.CancellationReasons ?? [];
    if (messageReason?.Code === 'ConditionalCheckFailed') return 'already-settled';
    if (inboxReason?.Code === 'ConditionalCheckFailed' || outboxReason?.Code === 'ConditionalCheckFailed') return 'newer-message-present';
    // Another confirmation of the same message (the bucket's event and the app's call) in flight.
    if ([messageReason, inboxReason, outboxReason].some((r) => r?.Code === 'TransactionConflict')) return 'conflict';
    throw error;
  }
}

/**
 * Moves a delivered message forward in both slots at once, only if the slots still hold this
 * message in an earlier state. False when they do not (a concurrent call moved it first, or
 * a newer message replaced it); the caller reads again.
 */
export async function advanceState(message: MessageItem, state: DeliveryState, now: string, inboxExpiresAt: string | undefined): Promise<boolean> {
  const earlier = deliveryStates.filter((s) => stateRank(s) < stateRank(state));
  const values = { ':id': message.messageId, ':state': state, ':now': now, ...Object.fromEntries(earlier.map((s, i) => [`:e${i}`, s])) };
  const condition = `messageId = :id AND #state IN (${earlier.map((_, i) => `:e${i}`).join(', ')})`;
  const update = (key: { PK: string; SK: string }, extra = '', extraValues: Record<string, unknown> = {}) => ({
    Update: {
      TableName: tableName,
      Key: key,
      UpdateExpression: `SET #state = :state, updatedAt = :now${extra}`,
      ConditionExpression: condition,
      ExpressionAttributeNames: { '#state': 'state', ...(extra === '' ? {} : TTL) },
      ExpressionAttributeValues: { ...values, ...extraValues },
    },
  });
  try {
    await documentClient.send(
      new TransactWriteCommand({
        TransactItems: [
          inboxExpiresAt === undefined
            ? update(inboxKey(message.recipientId, message.senderId))
            : update(inboxKey(message.recipientId, message.senderId), ', #ttl = :expires', { ':expires': ttlSeconds(Date.parse(inboxExpiresAt)) }),
          update(outboxKey(message.senderId, message.recipientId)),
        ],
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof TransactionCanceledException) return false;
    throw error;
  }
}

/** Strongly consistent, so a packet read right after a change (the push) shows that change. */
const slotsOf = (userId: string, prefix: string) => allUserItems(userId, prefix, { consistentRead: true });

export async function inboxSlots(userId: string): Promise<InboxSlot[]> {
  return (await slotsOf(userId, INBOX_SORT_PREFIX)).map((item) => inboxSlotSchema.parse(item));
}

export async function outboxSlots(userId: string): Promise<OutboxSlot[]> {
  return (await slotsOf(userId, OUTBOX_SORT_PREFIX)).map((item) => outboxSlotSchema.parse(item));
}
