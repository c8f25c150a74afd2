import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { CORS_ALLOWED_HEADERS, CORS_ALLOWED_METHODS, CORS_CONTEXT_KEY, CORS_EXPOSED_HEADERS, CORS_MAX_AGE_SECONDS, parseCorsOrigins } from '../lib/cors';
import { repoRoot } from './paths';

/** The origins the deployed API would allow: the `corsOrigins` context in cdk.json. */
export function cdkCorsOrigins(): string[] {
  const cdk = JSON.parse(readFileSync(path.join(repoRoot, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return parseCorsOrigins(process.env.PLAYHEAD_CORS_ORIGINS ?? cdk.context?.[CORS_CONTEXT_KEY]);
}

/**
 * API Gateway's CORS, as the local gateway answers it: a preflight from an allowed origin gets
 * 204 with what it may send; one from any other origin gets 204 with no CORS headers at all (so
 * the browser refuses the request); real answers to an allowed origin name that origin, never `*`.
 */
export function corsFor(allowed: ReadonlySet<string>) {
  return {
    /** Handles a preflight; false when the request is not one. */
    preflight(req: IncomingMessage, res: ServerResponse): boolean {
      const origin = req.headers.origin;
      if (req.method !== 'OPTIONS' || origin === undefined || req.headers['access-control-request-method'] === undefined) return false;
      const headers: Record<string, string> = { vary: 'Origin', 'content-length': '0' };
      if (allowed.has(origin)) {
        Object.assign(headers, {
          'access-control-allow-origin': origin,
          'access-control-allow-methods': CORS_ALLOWED_METHODS.join(','),
          'access-control-allow-headers': CORS_ALLOWED_HEADERS.join(','),
          'access-control-max-age': String(CORS_MAX_AGE_SECONDS),
        });
      }
      res.writeHead(204, headers).end();
      return true;
    },
    /** Headers to add to a real answer. */
    headers(req: IncomingMessage): Record<string, string> {
      const origin = req.headers.origin;
      if (origin === undefined || !allowed.has(origin)) return {};
      return { 'access-control-allow-origin': origin, 'access-control-expose-headers': CORS_EXPOSED_HEADERS.join(','), vary: 'Origin' };
    },
  };
}

const DEMO_DIR = path.join(repoRoot, 'examples', 'web');
const DEMO_FILES: Record<string, { file: string; type: string }> = {
  '/demo/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/demo/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
};

/**
 * The demo page (examples/web/) at /demo/: the HTML as it is, and the page's script bundled
 * with the client on first request (esbuild, which the project already uses for the Lambdas).
 */
export function demoPages() {
  let bundle: Promise<string> | undefined;
  const script = () => {
    bundle ??= import('esbuild').then(async ({ build }) => {
      const result = await build({
        entryPoints: [path.join(DEMO_DIR, 'app.ts')],
        bundle: true,
        format: 'esm',
        platform: 'browser',
        target: 'es2022',
        write: false,
        logLevel: 'silent',
      });
      return result.outputFiles[0]?.text ?? '';
    });
    return bundle;
  };
  return {
    async serve(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> {
      if (req.method !== 'GET' || !(pathname === '/demo' || pathname.startsWith('/demo/'))) return false;
      if (pathname === '/demo') {
        res.writeHead(308, { location: '/demo/' }).end();
        return true;
      }
      if (pathname === '/demo/app.js') {
        const text = await script();
        res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' }).end(text);
        return true;
      }
      const page = DEMO_FILES[pathname];
      if (!page) return false;
      res.writeHead(200, { 'content-type': page.type, 'cache-control': 'no-store' }).end(readFileSync(path.join(DEMO_DIR, page.file)));
      return true;
    },
  };
}
