import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lambdaRuntimeTarget } from '../../lib/bundling';

const deployedMajor = Number(lambdaRuntimeTarget.replace(/^node/, ''));
const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  devDependencies: Record<string, string>;
};

// One Node major everywhere: what runs the tests, the local stack and the bench is what Lambda runs.
describe('the Node major', () => {
  it('that runs the tests is the one the Lambdas are bundled for and deployed on', () => {
    expect(Number(process.versions.node.split('.')[0])).toBe(deployedMajor);
  });

  it('comes from the npm registry, not from the machine (the `node` dev dependency npm scripts put first on the PATH)', () => {
    expect(manifest.devDependencies.node).toMatch(new RegExp(`^\\^${deployedMajor}\\.`));
    expect(manifest.devDependencies['@types/node']).toMatch(new RegExp(`^\\^${deployedMajor}\\.`));
  });
});
