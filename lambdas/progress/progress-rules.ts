import { MAX_DURATION_SECONDS } from '../catalog/asset-schemas';
import { type Asset, getAsset } from '../catalog/asset-store';
import { requirePlayable } from '../catalog/availability';
import type { Alongside } from '../shared/atomic-writes';
import type { Principal } from '../shared/principal';
import { HttpProblem } from '../shared/problem';
import type { ProgressEntry } from './progress-item';
import { saveProgress } from './progress-store';

function outOfRange(detail: string, field: string): HttpProblem {
  return new HttpProblem('progress-out-of-range', detail, { errors: [{ field, message: detail }] });
}

/**
 * Records a playback position: within the asset (0 to its duration, or to the longest
 * duration an asset may have when it has none), for an asset the viewer may watch.
 * Cost: half a read unit for the catalog check (none when `readAsset` answers from a cache) and
 * one write unit for the progress item. `readAsset` reads the table unless the caller passes
 * another read: the route passes the catalog reader's, a sync push keeps the table's.
 */
export async function recordProgress(
  principal: Principal,
  assetId: string,
  progress: number,
  now: string,
  field = 'body.progress',
  alongside?: Alongside<ProgressEntry>,
  readAsset: (assetId: string) => Promise<Asset | undefined> = getAsset,
): Promise<ProgressEntry> {
  if (progress < 0) throw outOfRange('must not be negative', field);
  const asset = requirePlayable(await readAsset(assetId), assetId, principal.country);
  const ceiling = asset.durationSeconds ?? MAX_DURATION_SECONDS;
  if (progress > ceiling) throw outOfRange(`must be at most the asset's duration, ${ceiling} seconds`, field);
  return saveProgress(principal.userId, assetId, progress, now, alongside);
}
