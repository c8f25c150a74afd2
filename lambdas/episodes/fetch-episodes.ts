import * as z from 'zod';
import { nowIso } from '../shared/clock';
import { httpRoute } from '../shared/http';
import { fetchNewEpisodes, MAX_PER_SHOW } from './episode-delivery';

const fetchBodySchema = z.strictObject({ perShow: z.number().int().min(1).max(MAX_PER_SHOW) });

/** New episodes of followed shows, queued and handed out once across all of the user's devices. */
export const handler = httpRoute({ body: fetchBodySchema }, async ({ body, principal }) => ({
  body: { added: await fetchNewEpisodes(principal.userId, body.perShow, nowIso()) },
}));
