import type { FeedType } from '../shared/sync-contract';
import { INBOX_ENTITY, INBOX_SORT_PREFIX, inboxSlotSchema, incomingOf, OUTBOX_ENTITY, OUTBOX_SORT_PREFIX, outboxSlotSchema, outgoingOf } from './message-items';

/** Message slots join the feed so every device learns of them; only the message routes change them, so no applier. */
export const inboxFeed: FeedType = {
  type: 'message-in',
  entity: INBOX_ENTITY,
  sortPrefix: INBOX_SORT_PREFIX,
  keyOf: (item) => inboxSlotSchema.parse(item).senderId,
  viewOf: incomingOf,
};

export const outboxFeed: FeedType = {
  type: 'message-out',
  entity: OUTBOX_ENTITY,
  sortPrefix: OUTBOX_SORT_PREFIX,
  keyOf: (item) => outboxSlotSchema.parse(item).recipientId,
  viewOf: outgoingOf,
};
