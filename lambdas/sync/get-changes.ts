import * as z from 'zod';
import { httpRoute } from '../shared/http';
import { pageLimitSchema } from '../shared/paging';
import { readChanges } from './feed-reader';

const changesQuerySchema = z.strictObject({
  since: z.string().max(2048).optional(),
  limit: pageLimitSchema,
});

/** `GET /v1/changes?since=<cursor>&limit=<n>`: the user's gap-free change feed. */
export const handler = httpRoute({ query: changesQuerySchema }, async ({ query, principal }) => ({
  body: await readChanges(principal.userId, query.since, query.limit),
}));
