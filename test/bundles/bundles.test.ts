/**
 * The deployable bundles, not the TypeScript sources: each function is built with the
 * settings the CDK stacks use and then loaded by a bare `node` as an ES module, the way the
 * Lambda runtime loads it. This catches what tsx hides (CommonJS `require` inside ESM,
 * dynamic requires, missing `module` builds) before a deploy does.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BUCKET_NAME_ENV, queueDefinitions, TABLE_NAME_ENV } from '../../lib/queue-definitions';
import { routes } from '../../lib/routes';
import { type BuiltBundle, buildLambdaBundles, daxLambdaFunctions, lambdaFunctions, runBundleInNode } from '../../local/lambda-bundles';
import { DAX_ENDPOINT_ENV } from '../../lib/dax-settings';
import { freePort } from '../../local/free-port';

type RouteId = (typeof routes)[number]['id'];

const endpoints = inject('endpoints');

/** What a Lambda configured against the test stack would see. */
const stackEnv: Record<string, string> = {
  AWS_REGION: endpoints.region,
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
  AWS_ENDPOINT_URL_SQS: endpoints.sqs,
  AWS_ENDPOINT_URL_S3: endpoints.s3,
  [TABLE_NAME_ENV]: endpoints.tableName,
  [BUCKET_NAME_ENV]: endpoints.bucketName,
  ...Object.fromEntries(queueDefinitions.map((q) => [q.urlEnv, endpoints.queues[q.name] ?? ''])),
};

let outDir: string;
const built = new Map<string, BuiltBundle>();
const builtDax = new Map<string, BuiltBundle>();

beforeAll(async () => {
  outDir = mkdtempSync(path.join(tmpdir(), 'playhead-bundles-'));
  for (const bundle of await buildLambdaBundles(outDir)) built.set(bundle.id, bundle);
  for (const bundle of await buildLambdaBundles(outDir, daxLambdaFunctions)) builtDax.set(bundle.id, bundle);
  // Some 80 esbuild runs on two cores, beside whatever else the machine is doing.
}, 240_000);

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

function bundleFor(id: string): BuiltBundle {
  const bundle = built.get(id);
  if (!bundle) throw new Error(`no bundle was built for ${id}`);
  return bundle;
}

interface EventOptions {
  params?: Record<string, string>;
  /** The verified user; omitted for routes without a token. */
  sub?: string;
  scopes?: string[];
  body?: unknown;
}

/** An API Gateway HTTP API (payload 2.0) event for a route of the route table. */
function apiEvent(routeId: RouteId, options: EventOptions = {}) {
  const route = routes.find((r) => r.id === routeId);
  if (!route) throw new Error(`unknown route ${routeId}`);
  const params = options.params ?? {};
  const rawPath = route.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
  const routeKey = `${route.method} ${route.path}`;
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: '',
    headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
    pathParameters: Object.keys(params).length > 0 ? params : undefined,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'bundles-test',
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      http: { method: route.method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bundles.test' },
      ...(options.sub === undefined ? {} : { authorizer: { jwt: { claims: { sub: options.sub, exp: String(Math.floor(Date.now() / 1000) + 3600) }, scopes: options.scopes ?? [] } } }),
    },
  };
}

interface HandlerResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

async function invoke(routeId: RouteId, env: Record<string, string>, options: EventOptions = {}, bundle: BuiltBundle = bundleFor(routeId)) {
  const run = await runBundleInNode(bundle.file, { env, event: apiEvent(routeId, options) });
  const result = run.result as HandlerResult;
  return { ...result, json: result.body === '' ? undefined : (JSON.parse(result.body) as unknown), logs: run.logs };
}

describe('Lambda bundles', () => {
  it.each(lambdaFunctions.map((fn) => [fn.id, fn.sizeTargetBytes / 1024] as const))('%s bundle is at most %s KB', (id) => {
    const bundle = bundleFor(id);
    const heaviest = Object.entries(bundle.bytesByPackage)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([name, bytes]) => `${name} ${(bytes / 1024).toFixed(0)} KB`);
    expect(bundle.bytes, `${bundle.entry}; heaviest packages: ${heaviest.join(', ')}`).toBeLessThanOrEqual(bundle.sizeTargetBytes);
  });

  it('GetHealth loads as an ES module in plain node and answers 200 {"status":"ok"}', async () => {
    const response = await invoke('GetHealth', {});
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.json).toEqual({ status: 'ok' });
  });

  it('GetProgress reads DynamoDB Local and answers 404 problem+json for an unknown asset', async () => {
    const response = await invoke('GetProgress', stackEnv, { sub: `bundle-${randomUUID()}`, params: { assetId: randomUUID() } });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.json).toMatchObject({ status: 404 });
    // One real GetItem was made, and the capacity middleware survived bundling.
    expect(response.logs).toContainEqual(expect.objectContaining({ message: 'request', status: 404, dynamoRequests: 1 }));
  });

  it('ListProgress answers 200 [] for a user with no progress', async () => {
    const response = await invoke('ListProgress', stackEnv, { sub: `bundle-${randomUUID()}` });
    expect(response.statusCode).toBe(200);
    expect(response.json).toEqual([]);
  });

  it('an asset written through the PutAsset bundle is read back through the GetAsset bundle', async () => {
    const assetId = randomUUID();
    const title = `Bundled ${assetId.slice(0, 8)}`;
    const put = await invoke('PutAsset', stackEnv, { sub: 'bundle-publisher', scopes: ['catalog:write'], params: { assetId }, body: { title, durationSeconds: 60 } });
    expect(put.statusCode).toBe(200);

    const got = await invoke('GetAsset', stackEnv, { sub: `bundle-${randomUUID()}`, params: { assetId } });
    expect(got.statusCode).toBe(200);
    expect(got.json).toMatchObject({ assetId, title, durationSeconds: 60 });
  });
});

describe('the DAX variant (-c dax=on)', () => {
  const daxBundleFor = (id: string): BuiltBundle => {
    const bundle = builtDax.get(id);
    if (!bundle) throw new Error(`no DAX variant was built for ${id}`);
    return bundle;
  };
  const daxBytes = (bundle: BuiltBundle) => bundle.bytesByPackage['@amazon-dax-sdk/client-dax'] ?? 0;

  it('leaves every default bundle without a byte of the DAX client', () => {
    for (const bundle of built.values()) expect(Object.keys(bundle.bytesByPackage).filter((name) => name.startsWith('@amazon-dax-sdk/')), bundle.id).toEqual([]);
  });

  it.each(daxLambdaFunctions.map((fn) => [fn.id, fn.sizeTargetBytes / 1024] as const))('%s carries the DAX client and stays within its own budget of %s KB', (id) => {
    const bundle = daxBundleFor(id);
    expect(daxBytes(bundle), id).toBeGreaterThan(0);
    expect(bundle.bytes, id).toBeLessThanOrEqual(bundle.sizeTargetBytes);
  });

  it('GetAsset’s DAX variant answers from DynamoDB Local through the fallback when its cluster cannot be reached', async () => {
    const assetId = randomUUID();
    const put = await invoke('PutAsset', stackEnv, { sub: 'bundle-publisher', scopes: ['catalog:write'], params: { assetId }, body: { title: 'Behind DAX', durationSeconds: 60 } });
    expect(put.statusCode).toBe(200);
    const closed = `dax://127.0.0.1:${await freePort()}`;
    const got = await invoke('GetAsset', { ...stackEnv, [DAX_ENDPOINT_ENV]: closed }, { sub: `bundle-${randomUUID()}`, params: { assetId } }, daxBundleFor('GetAsset'));
    expect(got.statusCode).toBe(200);
    expect(got.json).toMatchObject({ assetId, title: 'Behind DAX' });
    // Counted as a fallback in the invocation's metrics line.
    expect(got.logs).toContainEqual(expect.objectContaining({ CatalogCacheFallbacks: 1 }));
  });

  it('PutProgress’s DAX variant without an endpoint reads through the container cache, as the default build does', async () => {
    const assetId = randomUUID();
    await invoke('PutAsset', stackEnv, { sub: 'bundle-publisher', scopes: ['catalog:write'], params: { assetId }, body: { title: 'Cached', durationSeconds: 60 } });
    const saved = await invoke('PutProgress', stackEnv, { sub: `bundle-${randomUUID()}`, params: { assetId }, body: { progress: 30 } }, daxBundleFor('PutProgress'));
    expect(saved.statusCode).toBe(200);
    expect(saved.json).toMatchObject({ progress: 30 });
    expect(saved.logs).toContainEqual(expect.objectContaining({ CatalogCacheMisses: 1 }));
  });
});
