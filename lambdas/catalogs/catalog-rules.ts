import { HttpProblem } from '../shared/problem';

/** The one "no such catalog" rule, for whatever form of the catalog a caller read (header, whole). */
export function requireCatalog<T>(catalog: T | undefined, catalogId: string): T {
  if (catalog === undefined) throw new HttpProblem('catalog-not-found', `There is no catalog ${catalogId}.`);
  return catalog;
}
