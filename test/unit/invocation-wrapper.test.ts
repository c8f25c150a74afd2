import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lambdaFunctions } from '../../local/lambda-bundles';
import { repoRoot } from '../../local/paths';

/** The wrappers that call `invocation` (lambdas/shared/invocation.ts) for the handler they make. */
const WRAPPED = /export const handler = (httpRoute|gpodderRoute|invocation)\(/;

describe('every function goes through the invocation wrapper', () => {
  // Without it a function's lines lack the Lambda context and what it counts is never written.
  it.each(lambdaFunctions.map((fn) => [fn.id, fn.entry] as const))('%s (%s)', (_id, entry) => {
    expect(readFileSync(path.join(repoRoot, entry), 'utf8')).toMatch(WRAPPED);
  });

  it('and the wrappers themselves call it', () => {
    for (const wrapper of ['lambdas/shared/http.ts', 'lambdas/gpodder/gpodder-http.ts']) {
      expect(readFileSync(path.join(repoRoot, wrapper), 'utf8'), wrapper).toMatch(/return invocation\(/);
    }
  });
});
