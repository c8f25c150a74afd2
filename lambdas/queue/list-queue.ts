import { httpRoute } from '../shared/http';
import { decodeCursor, encodeCursor, nextLinkHeader } from '../shared/paging';
import { ACTIVE_STATES, compareQueueEntries, queueEntryFromItem } from './queue-item';
import { listQueueQuerySchema } from './queue-schemas';
import { queueItemsInStates } from './queue-store';

/** A cursor holds the sort place of the last entry returned: `<position>|<episodeId>`. */
const placeOf = (entry: { position: number; episodeId: string }) => `${entry.position}|${entry.episodeId}`;
const isPlace = (text: string) => /^-?[0-9.e+-]+\|[0-9a-f-]{36}$/.test(text) && Number.isFinite(Number(text.split('|')[0]));

export const handler = httpRoute({ query: listQueueQuerySchema }, async ({ query, principal, event }) => {
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, isPlace);
  const entries = (await queueItemsInStates(principal.userId, query.states ?? ACTIVE_STATES)).map(queueEntryFromItem).sort(compareQueueEntries);
  let start = 0;
  if (after !== undefined) {
    const [position, episodeId] = after.split('|') as [string, string];
    const place = { position: Number(position), episodeId };
    start = entries.findIndex((entry) => compareQueueEntries(entry, place) > 0);
    if (start < 0) start = entries.length;
  }
  const page = entries.slice(start, start + query.limit);
  const more = start + query.limit < entries.length;
  const last = page.at(-1);
  return { body: page, headers: nextLinkHeader(event, query.limit, more && last ? encodeCursor(placeOf(last)) : undefined) };
});
