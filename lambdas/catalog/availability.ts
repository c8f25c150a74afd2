import { HttpProblem } from '../shared/problem';
import type { Asset } from './asset-store';

/**
 * The one "no such asset" rule. Readers and the publisher's delete see a deleted asset (with
 * `deletedAt`); a viewer's use needs a live one (`requirePlayable`).
 */
export function requireAsset(asset: Asset | undefined, assetId: string, need: 'exists' | 'live' = 'exists'): Asset {
  if (asset === undefined || (need === 'live' && asset.deletedAt !== undefined)) throw new HttpProblem('asset-not-found', `There is no asset ${assetId}.`);
  return asset;
}

/**
 * The rule for whether a viewer may use an asset: it must exist and not be deleted, and
 * when it is region-restricted the viewer's country must be one of its regions. A viewer
 * whose token carries no country cannot use a restricted asset.
 */
export function requirePlayable(found: Asset | undefined, assetId: string, country: string | undefined): Asset {
  const asset = requireAsset(found, assetId, 'live');
  if (asset.regions !== undefined && (country === undefined || !asset.regions.includes(country))) {
    throw new HttpProblem(
      'asset-not-available-in-region',
      country === undefined ? 'This asset is region-restricted and the token names no country.' : `This asset is not available in ${country}.`,
    );
  }
  return asset;
}
