import { httpRoute } from '../shared/http';
import { decodeCursor, pagedReply, pageQuerySchema } from '../shared/paging';
import { DEVICE_SORT_PREFIX, deviceView } from './device-item';
import { devicesOf } from './device-store';

/** At most ten live devices, read whole and paged like every list; tokens never leave the table. */
export const handler = httpRoute({ query: pageQuerySchema }, async ({ query, principal, event }) => {
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, (sortKey) => sortKey.startsWith(DEVICE_SORT_PREFIX));
  const devices = (await devicesOf(principal.userId, Date.now())).filter((device) => after === undefined || `${DEVICE_SORT_PREFIX}${device.deviceId}` > after);
  const items = devices.slice(0, query.limit);
  const last = items.at(-1);
  const lastSortKey = devices.length > query.limit && last !== undefined ? `${DEVICE_SORT_PREFIX}${last.deviceId}` : undefined;
  return pagedReply(event, query.limit, { items: items.map(deviceView), lastSortKey });
});
