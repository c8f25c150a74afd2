import { HttpProblem } from '../shared/problem';
import { MAX_DATASETS_PER_USER, MAX_RECORDS_PER_DATASET } from './dataset-limits';
import type { LimitReached, VersionMismatch } from './dataset-store';

/**
 * The refusal for a write the store declined (it returns outcomes and never raises HTTP
 * errors): the routes and sync pushes both raise it, and render it from the problem registry.
 */
export function refusal(result: VersionMismatch | LimitReached, dataset: string): HttpProblem {
  if (result.outcome === 'version-mismatch') {
    const detail = result.current === null ? 'The record does not exist.' : `The record is at version ${result.current.version}.`;
    return new HttpProblem('version-mismatch', `${detail} Nothing was written; merge with \`current\` and retry.`, { extensions: { current: result.current } });
  }
  return new HttpProblem(
    'dataset-limit-reached',
    result.limit === 'records-per-dataset'
      ? `Dataset ${dataset} already holds ${MAX_RECORDS_PER_DATASET} records, the most a dataset may.`
      : `You already have ${MAX_DATASETS_PER_USER} datasets, the most you may; a dataset goes away with its last record.`,
  );
}
