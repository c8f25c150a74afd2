import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { PlayheadApiStack } from '../../lib/cdk/api-stack';
import { PlayheadDataStack } from '../../lib/cdk/data-stack';
import { CORS_ALLOWED_HEADERS, parseCorsOrigins } from '../../lib/cors';
import { repoRoot } from '../../local/paths';
import { endpoints, tokenFor } from '../support/api';

const api = endpoints.api;
/** The demo page's origin: the gateway's own port under another host name. */
const demoOrigin = `http://localhost:${new URL(api).port}`;

const preflight = (origin: string, method = 'POST') =>
  fetch(`${api}/v1/sync/sessions`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'authorization,content-type' } });

describe('CORS on the local gateway', () => {
  it('answers a preflight from an allowed origin with that origin, the methods and headers, and no credentials', async () => {
    const response = await preflight(demoOrigin);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(demoOrigin);
    expect(response.headers.get('access-control-allow-methods')?.split(',')).toEqual(expect.arrayContaining(['GET', 'POST', 'PUT', 'DELETE']));
    expect(response.headers.get('access-control-allow-headers')?.split(',')).toEqual([...CORS_ALLOWED_HEADERS]);
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(response.headers.get('vary')).toContain('Origin');
  });

  it('gives another origin no CORS headers at all, on the preflight and on the answer', async () => {
    const refused = await preflight('https://elsewhere.example');
    expect(refused.status).toBe(204);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    const answer = await fetch(`${api}/v1/health`, { headers: { origin: 'https://elsewhere.example' } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('names the allowed origin on real answers, errors included, and exposes the headers a client reads', async () => {
    const token = await tokenFor('cors-user');
    for (const [url, headers, status] of [
      [`${api}/v1/watchlist`, { authorization: `Bearer ${token}` }, 200],
      [`${api}/v1/watchlist`, {}, 401],
    ] as const) {
      const response = await fetch(url, { headers: { ...headers, origin: demoOrigin } });
      expect(response.status).toBe(status);
      expect(response.headers.get('access-control-allow-origin')).toBe(demoOrigin);
      expect(response.headers.get('access-control-expose-headers')).toContain('retry-after');
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });

  it('serves the demo page and its script at /demo/', async () => {
    const page = await fetch(`${api}/demo/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script type="module" src="app.js">');
    const script = await fetch(`${api}/demo/app.js`);
    expect(script.headers.get('content-type')).toContain('javascript');
    expect(await script.text()).toContain('indexedDB');
  });
});

describe('CORS in the API stack', () => {
  const cdkContext = (JSON.parse(readFileSync(path.join(repoRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
  const synth = (context: Record<string, unknown>) => {
    const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [], ...context } });
    const data = new PlayheadDataStack(app, 'Playhead-Data');
    const stack = new PlayheadApiStack(app, 'Playhead-Api', { table: data.table, queues: data.queues, failureQueue: data.failureQueue, feedCursorSecret: data.feedCursorSecret, pushCredentialsSecret: data.pushCredentialsSecret, deploymentSecret: data.deploymentSecret });
    return Template.fromStack(stack);
  };

  it('takes the allowed origins from the corsOrigins context, exactly, without credentials', () => {
    const template = synth({ corsOrigins: 'https://app.example.com, https://tv.example.com:8443' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: ['https://app.example.com', 'https://tv.example.com:8443'],
        AllowHeaders: [...CORS_ALLOWED_HEADERS],
        AllowCredentials: false,
        MaxAge: 600,
      },
    });
  });

  it('has no CORS without the context, and refuses a wildcard or a path', () => {
    const apis = synth({}).findResources('AWS::ApiGatewayV2::Api');
    expect(Object.values(apis).map((r) => (r as { Properties: Record<string, unknown> }).Properties.CorsConfiguration)).toEqual([undefined]);
    expect(() => parseCorsOrigins('*')).toThrow(/not an origin/);
    expect(() => parseCorsOrigins(['https://app.example.com/path'])).toThrow(/not an origin/);
    expect(parseCorsOrigins(['https://a.example', 'http://localhost:5173'])).toEqual(['https://a.example', 'http://localhost:5173']);
  });
});
