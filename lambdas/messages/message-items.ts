import * as z from 'zod';
import { TTL_ATTRIBUTE } from '../shared/table-index';
import { userPartitionKey } from '../shared/keys';

/**
 * A video message is three items. The message itself, `MESSAGE#<id>` / `MESSAGE`, knows who
 * sent it to whom and what was declared; it is how an id is looked up. Once uploaded, it
 * fills two slots, one per user and pair: the recipient's `USER#<recipient>` / `INBOX#<sender>`
 * and the sender's `USER#<sender>` / `OUTBOX#<recipient>`. A slot holds one message, so a new
 * message from the same sender to the same recipient replaces the previous one in both, and
 * each user's info packet is two queries of their own partition.
 */
export const MESSAGE_ENTITY = 'message';
export const INBOX_ENTITY = 'inbox-slot';
export const OUTBOX_ENTITY = 'outbox-slot';
export const INBOX_SORT_PREFIX = 'INBOX#';
export const OUTBOX_SORT_PREFIX = 'OUTBOX#';

/** Delivery states, in the only order they may take. */
export const deliveryStates = ['UPLOADED', 'DOWNLOADED', 'VIEWED'] as const;
export type DeliveryState = (typeof deliveryStates)[number];
export const stateRank = (state: DeliveryState): number => deliveryStates.indexOf(state);

/** Before delivery: signed, waiting for its object; or refused, or replaced before it was confirmed. */
export const messageStatuses = ['PENDING', 'UPLOADED', 'REJECTED', 'REPLACED'] as const;

export const messageItemSchema = z.object({
  entity: z.literal(MESSAGE_ENTITY),
  messageId: z.string(),
  senderId: z.string(),
  recipientId: z.string(),
  objectKey: z.string(),
  contentType: z.string(),
  sizeBytes: z.number().int(),
  durationSeconds: z.number().optional(),
  status: z.enum(messageStatuses),
  createdAt: z.string(),
  /** When the signed upload URL stops working; an object arriving later is refused. */
  uploadExpiresAt: z.string(),
  rejectedBecause: z.string().optional(),
});
export type MessageItem = z.infer<typeof messageItemSchema>;

const slotFields = {
  messageId: z.string(),
  state: z.enum(deliveryStates),
  contentType: z.string(),
  sizeBytes: z.number().int(),
  durationSeconds: z.number().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Epoch seconds: the inbox slot goes with its video. */
  [TTL_ATTRIBUTE]: z.number().optional(),
};
export const inboxSlotSchema = z.object({ entity: z.literal(INBOX_ENTITY), senderId: z.string(), ...slotFields });
export const outboxSlotSchema = z.object({ entity: z.literal(OUTBOX_ENTITY), recipientId: z.string(), ...slotFields });
export type InboxSlot = z.infer<typeof inboxSlotSchema>;
export type OutboxSlot = z.infer<typeof outboxSlotSchema>;

export const messageKey = (messageId: string) => ({ PK: `MESSAGE#${messageId}`, SK: 'MESSAGE' });
export const inboxKey = (recipientId: string, senderId: string) => ({ PK: userPartitionKey(recipientId), SK: `${INBOX_SORT_PREFIX}${senderId}` });
export const outboxKey = (senderId: string, recipientId: string) => ({ PK: userPartitionKey(senderId), SK: `${OUTBOX_SORT_PREFIX}${recipientId}` });

/** What a recipient sees of a message waiting in their inbox. */
export interface IncomingMessage {
  messageId: string;
  senderId: string;
  state: DeliveryState;
  contentType: string;
  sizeBytes: number;
  durationSeconds?: number;
  createdAt: string;
  updatedAt: string;
}

/** What a sender sees of the latest message to one recipient. */
export interface OutgoingMessage {
  messageId: string;
  recipientId: string;
  state: DeliveryState;
  updatedAt: string;
}

export function incomingOf(item: Record<string, unknown>): IncomingMessage {
  const slot = inboxSlotSchema.parse(item);
  return {
    messageId: slot.messageId,
    senderId: slot.senderId,
    state: slot.state,
    contentType: slot.contentType,
    sizeBytes: slot.sizeBytes,
    ...(slot.durationSeconds === undefined ? {} : { durationSeconds: slot.durationSeconds }),
    createdAt: slot.createdAt,
    updatedAt: slot.updatedAt,
  };
}

export function outgoingOf(item: Record<string, unknown>): OutgoingMessage {
  const slot = outboxSlotSchema.parse(item);
  return { messageId: slot.messageId, recipientId: slot.recipientId, state: slot.state, updatedAt: slot.updatedAt };
}
