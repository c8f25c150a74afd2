import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { createLocalJWKSet, type JWK, jwtVerify } from 'jose';
import { matchPath, type RouteDefinition } from '../lib/routes';
import { HttpProblem, type ProblemSlug } from '../lambdas/shared/problem';
import { problemResponse } from '../lambdas/shared/http';
import { repoRoot } from './paths';

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** API Gateway HTTP APIs accept request bodies up to 10 MB. */
const MAX_GATEWAY_BODY_BYTES = 10 * 1024 * 1024;

export interface GatewayOptions {
  routes: readonly RouteDefinition[];
  publicJwk: JWK;
  issuer: string;
  audience: string;
  port: number;
}

interface LoadedRoute {
  route: RouteDefinition;
  handler: Handler;
}

/** Imports every route's handler module, unchanged, as the Lambda runtime would. */
export async function loadRoutes(routes: readonly RouteDefinition[]): Promise<LoadedRoute[]> {
  return Promise.all(
    routes.map(async (route) => {
      const mod = (await import(pathToFileURL(path.join(repoRoot, route.entry)).href)) as { handler?: Handler };
      if (typeof mod.handler !== 'function') throw new Error(`${route.entry} exports no handler`);
      return { route, handler: mod.handler };
    }),
  );
}

/**
 * The laptop stand-in for API Gateway: verifies the bearer token as the JWT authorizer does,
 * turns the request into a payload 2.0 event, and calls the route's handler.
 */
export async function startGateway(options: GatewayOptions): Promise<{ server: Server; url: string }> {
  const loaded = await loadRoutes(options.routes);
  const jwks = createLocalJWKSet({ keys: [options.publicJwk] });

  async function authorize(req: IncomingMessage): Promise<{ claims: Record<string, string>; scopes: string[] }> {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/i.exec(header);
    if (!match?.[1]) throw new HttpProblem('unauthorized', 'Send a bearer token in the Authorization header.');
    try {
      const { payload } = await jwtVerify(match[1], jwks, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: ['ES256'],
        requiredClaims: ['sub', 'exp'],
      });
      return { claims: stringifyClaims(payload), scopes: scopesOf(payload) };
    } catch {
      throw new HttpProblem('unauthorized', 'The bearer token is missing, expired or not valid for this API.');
    }
  }

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => send(res, problemResponse(error, 'gateway')));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/.well-known/jwks.json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [options.publicJwk] }));
      return;
    }
    const candidates = loaded.map((l) => ({ ...l, params: matchPath(l.route.path, url.pathname) })).filter((c) => c.params !== undefined);
    const hit = candidates.find((c) => c.route.method === req.method);
    if (!hit) {
      const slug: ProblemSlug = candidates.length > 0 ? 'method-not-allowed' : 'route-not-found';
      send(res, problemResponse(new HttpProblem(slug, `${req.method} ${url.pathname}`), requestId));
      return;
    }
    const body = await readBody(req);
    if (body === undefined) {
      send(res, problemResponse(new HttpProblem('body-too-large', 'The gateway accepts at most 10 MB.'), requestId));
      return;
    }
    let authorizer: { jwt: { claims: Record<string, string>; scopes: string[] } } | undefined;
    if (hit.route.auth === 'jwt') {
      try {
        authorizer = { jwt: await authorize(req) };
      } catch (error) {
        send(res, problemResponse(error, requestId));
        return;
      }
    }
    const event = toEvent(req, url, hit.route, hit.params ?? {}, body, requestId, authorizer);
    send(res, await hit.handler(event, lambdaContext(hit.route, requestId)));
  }

  await new Promise<void>((resolve) => server.listen(options.port, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return { server, url: `http://127.0.0.1:${port}` };
}

function send(res: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  if (res.headersSent) return;
  const body = result.body === undefined ? '' : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  res.writeHead(result.statusCode ?? 200, { ...(result.headers as Record<string, string>), 'content-length': String(body.length) });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_GATEWAY_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** HTTP APIs hand claims to Lambda as strings; arrays become `[a b]`. */
function stringifyClaims(payload: Record<string, unknown>): Record<string, string> {
  const claims: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    claims[name] = typeof value === 'string' ? value : Array.isArray(value) ? `[${value.join(' ')}]` : typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return claims;
}

function scopesOf(payload: Record<string, unknown>): string[] {
  const raw = payload.scope ?? payload.scp;
  if (Array.isArray(raw)) return raw.filter((s): s is string => typeof s === 'string');
  return typeof raw === 'string' ? raw.split(' ').filter(Boolean) : [];
}

const TEXT_TYPES = /^(application\/([a-z0-9.+-]*\+)?json|text\/|application\/x-www-form-urlencoded|application\/xml)/i;

function toEvent(
  req: IncomingMessage,
  url: URL,
  route: RouteDefinition,
  pathParameters: Record<string, string>,
  body: Buffer,
  requestId: string,
  authorizer: { jwt: { claims: Record<string, string>; scopes: string[] } } | undefined,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const isText = body.length === 0 || TEXT_TYPES.test(headers['content-type'] ?? '');
  const now = new Date();
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    queryStringParameters: Object.keys(query).length > 0 ? query : undefined,
    pathParameters: Object.keys(pathParameters).length > 0 ? pathParameters : undefined,
    body: body.length === 0 ? undefined : body.toString(isText ? 'utf8' : 'base64'),
    isBase64Encoded: !isText,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: { method: route.method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId,
      routeKey: `${route.method} ${route.path}`,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
      ...(authorizer ? { authorizer } : {}),
    },
  } as APIGatewayProxyEventV2;
}

function lambdaContext(route: RouteDefinition, requestId: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `playhead-local-${route.id}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:playhead-local-${route.id}`,
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/playhead-local-${route.id}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
