import { HttpProblem } from '../shared/problem';
import type { Asset } from './asset-store';

/**
 * The rule for whether a viewer may use an asset: it must exist and not be deleted, and
 * when it is region-restricted the viewer's country must be one of its regions. A viewer
 * whose token carries no country cannot use a restricted asset.
 */
export function requirePlayable(asset: Asset | undefined, assetId: string, country: string | undefined): Asset {
  if (asset === undefined || asset.deletedAt !== undefined) {
    throw new HttpProblem('asset-not-found', `There is no asset ${assetId}.`);
  }
  if (asset.regions !== undefined && (country === undefined || !asset.regions.includes(country))) {
    throw new HttpProblem(
      'asset-not-available-in-region',
      country === undefined ? 'This asset is region-restricted and the token names no country.' : `This asset is not available in ${country}.`,
    );
  }
  return asset;
}
