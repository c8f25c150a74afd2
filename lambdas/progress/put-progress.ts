import * as z from 'zod';
import { requirePlayable } from '../catalog/availability';
import { MAX_DURATION_SECONDS } from '../catalog/asset-schemas';
import { getAsset } from '../catalog/asset-store';
import { nowIso } from '../shared/clock';
import { httpRoute } from '../shared/http';
import { assetPathSchema } from '../shared/ids';
import { HttpProblem } from '../shared/problem';
import { saveProgress } from './progress-store';

const progressBodySchema = z.strictObject({ progress: z.number().int() });

function outOfRange(detail: string): HttpProblem {
  return new HttpProblem('progress-out-of-range', detail, { errors: [{ field: 'body.progress', message: detail }] });
}

/** Cost: half a read unit for the catalog check and one write unit for the progress item. */
export const handler = httpRoute({ params: assetPathSchema, body: progressBodySchema }, async ({ params, body, principal }) => {
  if (body.progress < 0) throw outOfRange('must not be negative');
  const asset = requirePlayable(await getAsset(params.assetId), params.assetId, principal.country);
  // An asset without a known duration still has a ceiling: the longest duration an asset may have.
  const ceiling = asset.durationSeconds ?? MAX_DURATION_SECONDS;
  if (body.progress > ceiling) throw outOfRange(`must be at most the asset's duration, ${ceiling} seconds`);
  return { body: await saveProgress(principal.userId, params.assetId, body.progress, nowIso()) };
});
