import { httpRoute } from '../shared/http';
import { decodeCursor, pagedReply, pageQuerySchema } from '../shared/paging';
import { credentialView, GPODDER_CREDENTIAL_SORT_PREFIX } from './credential-item';
import { credentialsOf } from './credential-store';

/** At most twenty credentials, read whole and paged like every list; no password or hash leaves the table. */
export const handler = httpRoute({ query: pageQuerySchema }, async ({ query, principal, event }) => {
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, (sortKey) => sortKey.startsWith(GPODDER_CREDENTIAL_SORT_PREFIX));
  const sortKeyOf = (credentialId: string) => `${GPODDER_CREDENTIAL_SORT_PREFIX}${credentialId}`;
  const credentials = (await credentialsOf(principal.userId)).filter((credential) => after === undefined || sortKeyOf(credential.credentialId) > after);
  const items = credentials.slice(0, query.limit);
  const last = items.at(-1);
  const lastSortKey = credentials.length > query.limit && last !== undefined ? sortKeyOf(last.credentialId) : undefined;
  return pagedReply(event, query.limit, { items: items.map(credentialView), lastSortKey });
});
