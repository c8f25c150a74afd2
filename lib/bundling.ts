/**
 * How every Lambda is bundled, in one place: the CDK functions and the bench/bundle tests
 * build with these settings, so what is measured is what is deployed.
 *
 * - ESM with `mainFields: ['module', 'main']` picks the SDK's ES builds: smaller bundles and
 *   faster cold starts than the CommonJS default, and no "Dynamic require" failure when the
 *   Lambda runtime loads the bundle as an ES module.
 * - The banner gives the few CommonJS dependencies that still call `require` a real one.
 * - The AWS SDK is bundled rather than taken from the runtime, so the deployed version is
 *   the tested one.
 */
export const lambdaRuntimeTarget = 'node24';

export const bundleSettings = {
  format: 'esm' as const,
  target: lambdaRuntimeTarget,
  platform: 'node' as const,
  mainFields: ['module', 'main'],
  minify: true,
  sourcemap: false,
  banner: "import{createRequire as __playheadCreateRequire}from'node:module';const require=__playheadCreateRequire(import.meta.url);",
};

/** esbuild options for one handler entry (used by the bench and the bundle tests). */
export function esbuildOptionsFor(entry: string, outfile: string) {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: bundleSettings.format,
    target: bundleSettings.target,
    platform: bundleSettings.platform,
    mainFields: bundleSettings.mainFields,
    minify: bundleSettings.minify,
    sourcemap: bundleSettings.sourcemap,
    banner: { js: bundleSettings.banner },
    metafile: true,
    logLevel: 'silent' as const,
  };
}
