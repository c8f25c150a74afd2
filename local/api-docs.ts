import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from './paths';

const CONTRACT_FILE = path.join(repoRoot, 'openapi.yaml');

/**
 * Redoc's standalone bundle (the renderer `redocly build-docs` uses) as @redocly/cli ships it.
 * The linter is a dev dependency already, and the `redoc` package itself would bring React and
 * its peers along for a page that needs only this one file.
 */
export const REDOC_BUNDLE = path.join(repoRoot, 'node_modules', '@redocly', 'cli', 'lib', 'chunks', 'redoc.standalone.js');

/**
 * The page may load nothing from elsewhere: no CDN, no fonts, no usage reports. Redoc's styles
 * are injected at run time (inline), its search runs in a worker made from a blob.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
].join('; ');

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Playhead API reference</title>
<style>body { margin: 0; }</style>
</head>
<body>
<div id="redoc"></div>
<script type="module">
import { init } from './redoc.standalone.js';
init('/openapi.json', { disableTelemetry: true }, document.getElementById('redoc'));
</script>
</body>
</html>
`;

/**
 * The contract and a rendered reference on the local gateway, for reading while developing:
 * `/openapi.yaml` as written, `/openapi.json` (the same, as JSON), `/docs/` (Redoc, offline;
 * `/` and `/docs` lead there).
 * Read from disk on each request, so an edit of openapi.yaml shows without a restart. Only the
 * local stack serves these; the deployed API has no such routes.
 */
export function apiDocs() {
  const reply = (res: ServerResponse, type: string, body: string | Buffer, extra: Record<string, string> = {}) => {
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store', ...extra }).end(body);
  };
  return {
    serve(req: IncomingMessage, res: ServerResponse, pathname: string): boolean {
      if (req.method !== 'GET') return false;
      switch (pathname) {
        case '/openapi.yaml':
          reply(res, 'application/yaml; charset=utf-8', readFileSync(CONTRACT_FILE));
          return true;
        case '/openapi.json':
          reply(res, 'application/json; charset=utf-8', `${JSON.stringify(parse(readFileSync(CONTRACT_FILE, 'utf8')), null, 2)}\n`);
          return true;
        // The API has nothing at its root; a person who opens it in a browser wants the reference.
        case '/':
        case '/docs':
          res.writeHead(308, { location: '/docs/' }).end();
          return true;
        case '/docs/':
          reply(res, 'text/html; charset=utf-8', PAGE, { 'content-security-policy': CONTENT_SECURITY_POLICY });
          return true;
        case '/docs/redoc.standalone.js':
          if (!existsSync(REDOC_BUNDLE)) {
            res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`The renderer is missing: ${REDOC_BUNDLE} (run npm install).\n`);
            return true;
          }
          reply(res, 'text/javascript; charset=utf-8', readFileSync(REDOC_BUNDLE));
          return true;
        default:
          return false;
      }
    },
  };
}
