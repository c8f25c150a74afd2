import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, maxHeaderSize, type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { createLocalJWKSet, errors, type JWK, jwtVerify } from 'jose';
import { MalformedPathParameter, matchPath, type RouteDefinition } from '../lib/routes';
import { userIdSchema } from '../lambdas/shared/ids';
import { HttpProblem, type ProblemSlug, validationProblem } from '../lambdas/shared/problem';
import { problemResponse } from '../lambdas/shared/http';
import { nowInSeconds, tokenTimesProblem } from '../lambdas/shared/principal';
import { repoRoot } from './paths';
import { cdkCorsOrigins, corsFor, demoPages } from './cors-and-demo';
import { apiDocs } from './api-docs';
import { lambdaContextFor } from './lambda-context';

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** API Gateway HTTP APIs accept request bodies up to 10 MB. */
const MAX_GATEWAY_BODY_BYTES = 10 * 1024 * 1024;
/** How long the rest of a refused oversized request is read and dropped before the socket goes. */
const REFUSED_REQUEST_DRAIN_MS = 2000;

export interface GatewayOptions {
  routes: readonly RouteDefinition[];
  publicJwk: JWK;
  issuer: string;
  audience: string;
  port: number;
  /** Browser origins allowed to call the API; default: the `corsOrigins` context in cdk.json. The demo's own origin is always allowed. */
  corsOrigins?: readonly string[];
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
    // Node keeps only the first of repeated Authorization headers; which token counts must not depend on that.
    const headers = req.headersDistinct.authorization ?? [];
    if (headers.length > 1) throw new HttpProblem('unauthorized', 'Send one Authorization header, not several.');
    const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/i.exec(headers[0] ?? '');
    if (!match?.[1]) throw new HttpProblem('unauthorized', 'Send a bearer token in the Authorization header.');
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(match[1], jwks, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: ['ES256'],
        requiredClaims: ['sub', 'exp'],
      }));
    } catch (error) {
      // Locally only: API Gateway's JWT authorizer answers every refused token alike.
      if (error instanceof errors.JWTExpired) throw new HttpProblem('unauthorized', expiredDetail(error.payload));
      throw new HttpProblem('unauthorized', 'The bearer token is missing, expired or not valid for this API.');
    }
    // jose checks the signature and that times are numbers, not that the signed claims make sense.
    if (!userIdSchema.safeParse(payload.sub).success) throw new HttpProblem('unauthorized', 'The token\'s sub is not a user id.');
    const timesProblem = tokenTimesProblem(payload, nowInSeconds());
    if (timesProblem !== undefined) throw new HttpProblem('unauthorized', `The token's times make no sense: ${timesProblem}.`);
    return { claims: stringifyClaims(payload), scopes: scopesOf(payload) };
  }

  // The gateway's own http://localhost:<port> joins once the port is known: the demo page it serves calls the API on 127.0.0.1, another origin.
  const corsOrigins = new Set(options.corsOrigins ?? cdkCorsOrigins());
  const cors = corsFor(corsOrigins);
  const demo = demoPages();
  const docs = apiDocs();

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => send(res, problemResponse(error, 'gateway')));
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => refuseUnparsed(error, socket));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      send(res, problemResponse(validationProblem([{ field: 'path', message: 'is not a valid request target' }]), requestId));
      return;
    }
    for (const [name, value] of Object.entries(cors.headers(req))) res.setHeader(name, value);
    if (cors.preflight(req, res)) return;
    if (await demo.serve(req, res, url.pathname)) return;
    if (docs.serve(req, res, url.pathname)) return;
    if (req.method === 'GET' && url.pathname === '/.well-known/jwks.json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(`${JSON.stringify({ keys: [options.publicJwk] })}\n`);
      return;
    }
    const candidates = loaded.flatMap((l) => {
      const match = routeMatch(l.route.path, url.pathname);
      return match === undefined ? [] : [{ ...l, ...match }];
    });
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
    // After the token, as a handler checks its input only for a verified caller.
    if (hit.malformed !== undefined) {
      send(res, problemResponse(validationProblem([{ field: `path.${hit.malformed}`, message: 'is not valid percent-encoded UTF-8' }]), requestId));
      return;
    }
    const event = toEvent(req, url, hit.route, hit.params, body, requestId, authorizer);
    send(res, await hit.handler(event, lambdaContextFor(hit.route.id, requestId)));
  }

  await new Promise<void>((resolve) => server.listen(options.port, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  corsOrigins.add(`http://localhost:${port}`);
  return { server, url: `http://127.0.0.1:${port}` };
}

/** When a correctly signed token expired, and how to get another. */
function expiredDetail(payload: { exp?: number; sub?: string }): string {
  if (typeof payload.exp !== 'number') return 'The bearer token has expired.';
  const ago = Math.max(0, nowInSeconds() - payload.exp);
  const since = ago < 120 ? `${ago} s ago` : ago < 7200 ? `${Math.round(ago / 60)} min ago` : `${Math.round(ago / 3600)} h ago`;
  const user = typeof payload.sub === 'string' && /^[\w.@-]{1,64}$/.test(payload.sub) ? payload.sub : '<userId>';
  return `The bearer token expired at ${new Date(payload.exp * 1000).toISOString()} (${since}); make a new one with npm run -s token -- ${user}.`;
}

function routeMatch(template: string, pathname: string): { params: Record<string, string>; malformed?: string } | undefined {
  try {
    const params = matchPath(template, pathname);
    return params === undefined ? undefined : { params };
  } catch (error) {
    if (error instanceof MalformedPathParameter) return { params: {}, malformed: error.parameter };
    throw error;
  }
}

const refusedSockets = new WeakSet<Duplex>();

/**
 * Node's parser gave up on a request (headers over its limit, or not HTTP), so no route runs;
 * Node's own answer would be a bare status line. This one is problem+json like every other
 * error, followed by a close, since the next request's start cannot be found. The socket is
 * not destroyed at once: with the rest of a large request unread, the kernel would answer with
 * a reset that can overtake the response at the client. Node keeps feeding the dead parser,
 * which reads (and drops) the rest and calls this again for each chunk.
 */
function refuseUnparsed(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (refusedSockets.has(socket)) return;
  refusedSockets.add(socket);
  // As Node's own handler: bytes of an answer already going out on this socket must not be interleaved with ours.
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent === true) {
    socket.destroy();
    return;
  }
  const problem =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? new HttpProblem('headers-too-large', `The request line and headers are over ${maxHeaderSize} bytes.`, {
          errors: [{ field: 'header', message: `the request line and headers must be at most ${maxHeaderSize} bytes together` }],
        })
      : validationProblem([{ field: 'header', message: 'the request is not valid HTTP/1.1' }]);
  const result = problemResponse(problem, randomUUID());
  const body = Buffer.from(result.body ?? '', 'utf8');
  const status = result.statusCode ?? 400;
  const headers = Object.entries({ ...(result.headers as Record<string, string>), 'content-length': String(body.length), connection: 'close' })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${headers}\r\n`, 'latin1'), body]));
  const timer = setTimeout(() => socket.destroy(), REFUSED_REQUEST_DRAIN_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

function send(res: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  if (res.headersSent) return;
  const body = result.body === undefined ? '' : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  // As API Gateway does with payload 2.0: each of `cookies` becomes its own Set-Cookie header.
  const cookies = result.cookies && result.cookies.length > 0 ? { 'set-cookie': result.cookies } : {};
  res.writeHead(result.statusCode ?? 200, { ...(result.headers as Record<string, string>), ...cookies, 'content-length': String(body.length) });
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
  // Without prototypes: `__proto__` or `constructor` from a client is a name like any other,
  // which the route's strict schema then refuses, instead of vanishing or reading Object's.
  // From the raw lines, since req.headers has a prototype too; repeats joined as API Gateway joins them.
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] as string).toLowerCase();
    const value = req.rawHeaders[i + 1] as string;
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  const query: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const isText = body.length === 0 || TEXT_TYPES.test(headers['content-type'] ?? '');
  const now = new Date();
  // As payload 2.0 does: the Cookie header's pairs move to `cookies` (the gpodder session rides on them).
  const cookies = (headers.cookie ?? '').split(/[;,]/).map((pair) => pair.trim()).filter(Boolean);
  delete headers.cookie;
  return {
    version: '2.0',
    ...(cookies.length > 0 ? { cookies } : {}),
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
