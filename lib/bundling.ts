import { DAX_BUILD_VARIABLE } from './dax-settings';

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

/**
 * A build variant: `dax` is the catalog reader with the DAX client, built only for the functions
 * of `daxFunctionIds` when the stack has `-c dax=on` (lib/dax-settings.ts); every other bundle,
 * and every bundle without that option, is `default` and carries none of it.
 */
export type BundleVariant = 'default' | 'dax';

/** Build-time constants: the catalog reader's DAX branch is dead code, and left out, unless `dax`. */
export const bundleDefines = (variant: BundleVariant): Record<string, string> => ({
  [`process.env.${DAX_BUILD_VARIABLE}`]: JSON.stringify(variant === 'dax' ? 'on' : 'off'),
});

/** esbuild options for one handler entry (used by the bench and the bundle tests). */
export function esbuildOptionsFor(entry: string, outfile: string, variant: BundleVariant = 'default') {
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
    define: bundleDefines(variant),
    metafile: true,
    logLevel: 'silent' as const,
  };
}
