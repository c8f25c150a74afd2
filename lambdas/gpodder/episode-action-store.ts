import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '../shared/dynamo';
import { userPartitionKey } from '../shared/keys';
import { batchGetItems, conditional } from '../shared/table-access';
import { LOCAL_INDEX } from '../shared/table-index';
import { allUserItems } from '../shared/user-items';
import { GPODDER_EPISODE_ENTITY } from './gpodder-entities';

/**
 * What gpodder clients know of one episode of a user's: `USER#<userId>` / `GPEP#<key>` (the
 * key from the feed's and the episode's URL keys), with the newest play and, apart from it,
 * the newest other action, so a `download` after a `play` never undoes the play. `changedAt`
 * is when Playhead recorded the last change (server ms) and also sorts the item in the local
 * index (`LSI1SK`), so a `since` read is a range read of what changed, not of everything.
 */
const SORT_PREFIX = 'GPEP#';
/** Changed episodes a `since` read gets one by one; more, and it reads every state (an item is about 250 bytes). */
const MAX_CHANGES_BY_KEY = 64;

export type OtherAction = 'download' | 'delete' | 'new';

export interface PlayState {
  /** The client's time of the play (clamped to the server's clock), epoch ms. */
  at: number;
  started?: number;
  position?: number;
  total?: number;
  device?: string;
}

export interface EpisodeState {
  key: string;
  podcast: string;
  episode: string;
  guid?: string;
  /** The catalog episode this matched, if any. */
  episodeId?: string;
  play?: PlayState;
  other?: { action: OtherAction; at: number; device?: string };
  changedAt: number;
  /** Moves with every write, so concurrent uploads of one episode merge instead of overwriting. */
  version: number;
}

const stateKey = (userId: string, key: string) => ({ PK: userPartitionKey(userId), SK: `${SORT_PREFIX}${key}` });
const indexSortKey = (changedAt: number, key: string): string => `${SORT_PREFIX}${String(changedAt).padStart(15, '0')}#${key}`;

function stateFromItem(item: Record<string, unknown>): EpisodeState {
  const { PK: _pk, SK, entity: _entity, [LOCAL_INDEX.sortKey]: _index, ...rest } = item;
  return { ...(rest as Omit<EpisodeState, 'key'>), key: String(SK).slice(SORT_PREFIX.length) };
}

export async function episodeStates(userId: string, keys: readonly string[]): Promise<Map<string, EpisodeState>> {
  const items = await batchGetItems(
    [...new Set(keys)].map((key) => stateKey(userId, key)),
    { consistent: true },
  );
  return new Map(items.map((item) => stateFromItem(item)).map((state) => [state.key, state]));
}

/** Every state, or those changed at or after `fromMs`: a range read of the index, then the items. */
export async function episodeStatesChangedSince(userId: string, fromMs: number): Promise<EpisodeState[]> {
  if (fromMs <= 0) return (await allUserItems(userId, SORT_PREFIX, { consistentRead: true })).map(stateFromItem);
  const keys: { PK: string; SK: string }[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const output = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: LOCAL_INDEX.name,
        KeyConditionExpression: 'PK = :pk AND #lsi BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#lsi': LOCAL_INDEX.sortKey },
        ExpressionAttributeValues: { ':pk': userPartitionKey(userId), ':from': indexSortKey(fromMs, ''), ':to': `${SORT_PREFIX}~` },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    keys.push(...(output.Items ?? []).map((item) => ({ PK: String(item.PK), SK: String(item.SK) })));
    startKey = output.LastEvaluatedKey;
  } while (startKey !== undefined);
  if (keys.length === 0) return [];
  // A strongly consistent get costs a unit per item, a query a unit per 4 KB of items: past a few dozen changes, reading all of them is cheaper.
  if (keys.length > MAX_CHANGES_BY_KEY) return (await allUserItems(userId, SORT_PREFIX, { consistentRead: true })).map(stateFromItem).filter((s) => s.changedAt >= fromMs);
  return (await batchGetItems(keys, { consistent: true })).map(stateFromItem);
}

/** Writes a state if it is still at the version it was read at; false when another write came first (read again and merge). */
export async function putEpisodeState(userId: string, state: EpisodeState, readVersion: number | undefined): Promise<boolean> {
  const { key, ...fields } = state;
  return conditional(
    documentClient.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...stateKey(userId, key), entity: GPODDER_EPISODE_ENTITY, ...fields, [LOCAL_INDEX.sortKey]: indexSortKey(state.changedAt, key) },
        ConditionExpression: readVersion === undefined ? 'attribute_not_exists(PK)' : 'version = :version',
        ...(readVersion === undefined ? {} : { ExpressionAttributeValues: { ':version': readVersion } }),
      }),
    ),
  );
}
