import { randomUUID } from 'node:crypto';
import { logger } from '../shared/logger';
import { HttpProblem } from '../shared/problem';
import { RETRY, retryOptimistic } from '../shared/table-access';
import { type DeliveryState, type MessageItem, stateRank } from './message-items';
import { MESSAGE_KEY_PREFIX, UNVIEWED_RETENTION_DAYS, VIEWED_RETENTION_DAYS } from './message-limits';
import { deleteObject, objectKeyOf, type SignedUpload, signDownload, signUpload, storedObject, tagViewed } from './message-media';
import { advanceState, closePendingMessage, deliverMessage, getInboxSlot, getMessage, putPendingMessage } from './message-store';

const DAY_MS = 24 * 3600 * 1000;
/** The message item and the sender's outbox slot stay this long after the video could last be there. */
const OUTCOME_KEPT_DAYS = 16;
/** Clock difference between S3 and Lambda tolerated when checking that an upload came in time. */
const CLOCK_SKEW_MS = 5000;
const addMs = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

export interface NewMessage {
  recipientId: string;
  contentType: string;
  sizeBytes: number;
  durationSeconds?: number | undefined;
}

/** Signs an upload for a new message; nothing is delivered until the object arrives and checks out. */
export async function sendMessage(senderId: string, request: NewMessage, now: string): Promise<{ messageId: string; upload: SignedUpload }> {
  if (request.recipientId === senderId) {
    throw new HttpProblem('validation-failed', 'A message goes to someone else.', { errors: [{ field: 'body.recipientId', message: 'must not be the sender' }] });
  }
  const messageId = randomUUID();
  const objectKey = objectKeyOf(messageId);
  const upload = await signUpload(objectKey, request.contentType, request.sizeBytes, new Date(now));
  await putPendingMessage(
    {
      entity: 'message',
      messageId,
      senderId,
      recipientId: request.recipientId,
      objectKey,
      contentType: request.contentType,
      sizeBytes: request.sizeBytes,
      ...(request.durationSeconds === undefined ? {} : { durationSeconds: request.durationSeconds }),
      status: 'PENDING',
      createdAt: now,
      uploadExpiresAt: upload.expiresAt,
    },
    // A message never uploaded leaves nothing behind: its item expires a day after its URL.
    addMs(upload.expiresAt, DAY_MS),
  );
  return { messageId, upload };
}

export type Confirmation =
  | { outcome: 'delivered' | 'already-delivered'; message: MessageItem }
  | { outcome: 'unknown' }
  | { outcome: 'not-uploaded'; message: MessageItem }
  | { outcome: 'rejected' | 'replaced'; message: MessageItem; reason: string };

/**
 * Confirms an upload: from the bucket's ObjectCreated event or from the sender's app, in
 * either order and any number of times. The object must match what was declared (size, type)
 * and have arrived before its URL expired; otherwise it is deleted and the message refused.
 */
export async function confirmUpload(messageId: string, now: string, onlyFromSender?: string, attempt = 1): Promise<Confirmation> {
  const message = await getMessage(messageId);
  // To anyone but its sender, a message is unknown: they learn nothing and set nothing off.
  if (message === undefined || (onlyFromSender !== undefined && message.senderId !== onlyFromSender)) return { outcome: 'unknown' };
  if (message.status === 'UPLOADED') return { outcome: 'already-delivered', message };
  if (message.status !== 'PENDING') return { outcome: message.status === 'REJECTED' ? 'rejected' : 'replaced', message, reason: message.rejectedBecause ?? 'a newer message replaced it' };

  const object = await storedObject(message.objectKey);
  if (object === undefined) return { outcome: 'not-uploaded', message };
  const reason = mismatch(message, object);
  if (reason !== undefined) {
    await deleteObject(message.objectKey);
    await closePendingMessage(messageId, 'REJECTED', reason);
    return { outcome: 'rejected', message, reason };
  }

  const previous = await getInboxSlot(message.recipientId, message.senderId);
  const slotExpiresAt = addMs(now, UNVIEWED_RETENTION_DAYS * DAY_MS);
  const outcome = await deliverMessage(message, now, slotExpiresAt, addMs(slotExpiresAt, OUTCOME_KEPT_DAYS * DAY_MS));
  if (outcome === 'already-settled') return confirmUpload(messageId, now, onlyFromSender);
  if (outcome === 'conflict') {
    if (attempt >= 3) throw new Error(`message ${messageId}: confirmation kept conflicting`);
    await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    return confirmUpload(messageId, now, onlyFromSender, attempt + 1);
  }
  if (outcome === 'newer-message-present') {
    await deleteObject(message.objectKey);
    await closePendingMessage(messageId, 'REPLACED', undefined);
    return { outcome: 'replaced', message, reason: 'a newer message from the same sender was delivered first' };
  }
  // The replaced video goes now; the bucket's lifecycle rules are the backstop if this fails.
  if (previous !== undefined && previous.messageId !== messageId) await deleteObject(objectKeyOf(previous.messageId));
  return { outcome: 'delivered', message };
}

function mismatch(message: MessageItem, object: { sizeBytes: number; contentType: string | undefined; lastModified: Date | undefined }): string | undefined {
  if (object.sizeBytes !== message.sizeBytes) return `the object has ${object.sizeBytes} bytes, ${message.sizeBytes} were declared`;
  if (object.contentType !== message.contentType) return `the object is ${object.contentType ?? 'untyped'}, ${message.contentType} was declared`;
  // S3 itself refuses an expired URL; this check holds the same line where nothing else does.
  if (object.lastModified !== undefined && object.lastModified.getTime() > Date.parse(message.uploadExpiresAt) + CLOCK_SKEW_MS) {
    return 'the object arrived after its upload URL expired';
  }
  return undefined;
}

/** The message as its recipient may address it: theirs, delivered, and still the latest from its sender. */
async function deliveredTo(recipientId: string, messageId: string) {
  const message = await getMessage(messageId);
  // Someone else's message is "not found", exactly like one that does not exist.
  if (message === undefined || message.recipientId !== recipientId) throw new HttpProblem('message-not-found', `There is no message ${messageId} for you.`);
  if (message.status === 'PENDING') throw new HttpProblem('message-not-delivered', `Message ${messageId} has not been uploaded yet.`);
  if (message.status === 'REJECTED') throw new HttpProblem('message-not-found', `Message ${messageId} was refused: ${message.rejectedBecause ?? 'its upload did not match'}.`);
  const slot = message.status === 'UPLOADED' ? await getInboxSlot(recipientId, message.senderId) : undefined;
  if (slot === undefined || slot.messageId !== messageId) throw new HttpProblem('message-not-found', `Message ${messageId} was replaced or has expired.`);
  return { message, slot };
}

export interface MessageStateView {
  messageId: string;
  state: DeliveryState;
  updatedAt: string;
}

/** Forward only: an older or repeated state is answered with the current one and changes nothing. */
export async function moveState(recipientId: string, messageId: string, state: DeliveryState, now: string): Promise<MessageStateView> {
  const current = async (): Promise<MessageStateView> => {
    const { slot } = await deliveredTo(recipientId, messageId);
    return { messageId, state: slot.state, updatedAt: slot.updatedAt };
  };
  const moved = await retryOptimistic(`moving message ${messageId}`, 3, async () => {
    const { message, slot } = await deliveredTo(recipientId, messageId);
    if (stateRank(state) <= stateRank(slot.state)) return { messageId, state: slot.state, updatedAt: slot.updatedAt };
    const viewed = state === 'VIEWED';
    if (!(await advanceState(message, state, now, viewed ? addMs(now, VIEWED_RETENTION_DAYS * DAY_MS) : undefined))) return RETRY;
    // The lifecycle rule for viewed videos expires it; the slot's TTL matches. The state is
    // committed either way; an untagged video goes with the unviewed ones instead.
    if (viewed) await tagViewed(message.objectKey).catch((error: unknown) => logger.warn('viewed video not tagged', { messageId, error: error as Error }));
    return { messageId, state, updatedAt: now };
  }, () => undefined);
  return moved ?? current();
}

export async function downloadLink(recipientId: string, messageId: string, now: string) {
  const { message } = await deliveredTo(recipientId, messageId);
  return { messageId, ...(await signDownload(message.objectKey, new Date(now))) };
}

/** The message id in an object key under the messages prefix, if it is one. */
export function messageIdOfObjectKey(objectKey: string): string | undefined {
  const match = new RegExp(`^${MESSAGE_KEY_PREFIX}([0-9a-f-]{36})$`).exec(objectKey);
  return match?.[1];
}
