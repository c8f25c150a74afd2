import { userPartitionKey } from '../shared/keys';
import { batchPutItems } from '../shared/table-access';
import { allUserItems } from '../shared/user-items';
import { GPODDER_SUBSCRIPTION_ENTITY } from './gpodder-entities';

/**
 * A user's subscription to one feed, as gpodder clients see it: `USER#<userId>` /
 * `GPSUB#<urlKey>`, with the URL as first sent (sanitized), whether it is subscribed now, when
 * Playhead recorded that (server ms), and the catalog show it names, if any. Unsubscribing
 * keeps the item (a tombstone), so a `since` read reports the removal however long ago it was.
 */
const SORT_PREFIX = 'GPSUB#';

export interface SubscriptionState {
  key: string;
  url: string;
  subscribed: boolean;
  changedAt: number;
  showId?: string;
}

const stateKey = (userId: string, key: string) => ({ PK: userPartitionKey(userId), SK: `${SORT_PREFIX}${key}` });

function stateFromItem(item: Record<string, unknown>): SubscriptionState {
  return {
    key: String(item.SK).slice(SORT_PREFIX.length),
    url: String(item.url),
    subscribed: item.subscribed === true,
    changedAt: Number(item.changedAt),
    ...(typeof item.showId === 'string' ? { showId: item.showId } : {}),
  };
}

/** Strongly consistent: a read right after an upload sees it. */
export async function allSubscriptionStates(userId: string): Promise<SubscriptionState[]> {
  return (await allUserItems(userId, SORT_PREFIX, { consistentRead: true })).map(stateFromItem);
}

export async function putSubscriptionStates(userId: string, states: readonly SubscriptionState[]): Promise<void> {
  await batchPutItems(
    states.map(({ key, ...state }) => ({ ...stateKey(userId, key), entity: GPODDER_SUBSCRIPTION_ENTITY, ...state })),
  );
}
