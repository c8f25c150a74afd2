import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import * as z from 'zod';
import { newTally, reportCapacity, withCapacityTally } from './capacity-meter';
import { plainWords } from './field-messages';
import { invocation } from './invocation';
import { logger } from './logger';
import { type Principal, principalOf } from './principal';
import { type FieldError, HttpProblem, internalProblem, PROBLEM_CONTENT_TYPE, validationProblem } from './problem';

/** Largest request body any route accepts unless it says otherwise (documented in openapi.yaml). */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024;

const noFields = z.strictObject({});

export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  /** Default true: the handler needs a verified user. */
  authenticated?: boolean;
  params?: P;
  query?: Q;
  body?: B;
  maxBodyBytes?: number;
}

export interface RouteInput<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  params: z.output<P>;
  query: z.output<Q>;
  body: z.output<B>;
  /** Present on authenticated routes. */
  principal: Principal;
  event: APIGatewayProxyEventV2;
  requestId: string;
}

export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type HttpHandler = (event: APIGatewayProxyEventV2, context?: Context) => Promise<APIGatewayProxyStructuredResultV2>;

const ANONYMOUS: Principal = { userId: '', scopes: new Set(), country: undefined };

/**
 * Wraps a route's domain call: validates path, query and body before the domain runs (so it
 * only ever sees typed input), renders every failure as problem+json, and logs one
 * structured line per request with its status, latency and DynamoDB request units (with the
 * Lambda context and the metrics flush of `invocation`).
 */
export function httpRoute<P extends z.ZodType = typeof noFields, Q extends z.ZodType = typeof noFields, B extends z.ZodType = z.ZodUndefined>(
  spec: RouteSpec<P, Q, B>,
  fn: (input: RouteInput<P, Q, B>) => Promise<Reply>,
): HttpHandler {
  const maxBodyBytes = spec.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return invocation((event: APIGatewayProxyEventV2) =>
    measuredRequest(event, async (requestId) => {
      const principal = spec.authenticated === false ? ANONYMOUS : principalOf(event);
      const text = checkBodySize(event, maxBodyBytes);
      const params = parseWith(spec.params ?? noFields, event.pathParameters ?? {}, 'path');
      const query = parseWith(spec.query ?? noFields, event.queryStringParameters ?? {}, 'query');
      // A route that takes no body still refuses fields it does not know; `{}` is harmless.
      const body = spec.body ? parseWith(spec.body, parseJsonBody(event, text), 'body') : text.trim() === '' ? undefined : parseWith(noFields, parseJsonBody(event, text), 'body');
      const reply = await fn({ params, query, body, principal, event, requestId } as RouteInput<P, Q, B>);
      return jsonResponse(reply.status ?? 200, reply.body, reply.headers);
    }),
  );
}

/**
 * One request of any HTTP surface: runs it with its DynamoDB units counted, renders a failure
 * as problem+json, and logs one structured line with its status, latency and request units.
 */
export async function measuredRequest(
  event: APIGatewayProxyEventV2,
  work: (requestId: string) => Promise<APIGatewayProxyStructuredResultV2>,
): Promise<APIGatewayProxyStructuredResultV2> {
  const started = performance.now();
  const requestId = event.requestContext?.requestId ?? 'unknown';
  const tally = newTally();
  let result: APIGatewayProxyStructuredResultV2;
  try {
    result = await withCapacityTally(tally, () => work(requestId));
  } catch (error) {
    result = problemResponse(error, requestId);
  }
  const line = {
    requestId,
    route: event.routeKey,
    status: result.statusCode,
    durationMs: Math.round((performance.now() - started) * 100) / 100,
    dynamoReadUnits: tally.readUnits,
    dynamoWriteUnits: tally.writeUnits,
    dynamoRequests: tally.requests,
  };
  logger.info('request', line);
  reportCapacity('request', tally, line);
  return result;
}

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
    // A newline ends every JSON answer, so a terminal prompt after `curl` starts on a line of its own.
    body: body === undefined ? '' : `${JSON.stringify(body)}\n`,
  };
}

/** Renders any thrown value; only HttpProblems (4xx by construction) say what went wrong. */
export function problemResponse(error: unknown, requestId: string): APIGatewayProxyStructuredResultV2 {
  let problem: HttpProblem;
  if (error instanceof HttpProblem) {
    problem = error;
  } else {
    logger.error('unhandled error', { requestId, error: error as Error });
    problem = internalProblem();
  }
  return {
    statusCode: problem.status,
    headers: {
      'content-type': PROBLEM_CONTENT_TYPE,
      'cache-control': 'no-store',
      // RFC 6750: a 401 names the scheme the client must use.
      ...(problem.status === 401 ? { 'www-authenticate': 'Bearer' } : {}),
    },
    body: `${JSON.stringify(problem.toJSON(requestId))}\n`,
  };
}

function bodyText(event: APIGatewayProxyEventV2): string {
  if (event.body === undefined || event.body === null) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

/** The body as text, refused (413 problem) when it is larger than `maxBodyBytes`. */
export function checkBodySize(event: APIGatewayProxyEventV2, maxBodyBytes: number): string {
  const text = bodyText(event);
  const size = Buffer.byteLength(text, 'utf8');
  if (size > maxBodyBytes) {
    throw new HttpProblem('body-too-large', `The body is ${size} bytes; the limit is ${maxBodyBytes}.`, {
      errors: [{ field: 'body', message: `must be at most ${maxBodyBytes} bytes` }],
    });
  }
  return text;
}

function parseJsonBody(event: APIGatewayProxyEventV2, text: string): unknown {
  if (text.trim() === '') return undefined;
  const contentType = (event.headers?.['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!/^application\/([a-z0-9.+-]+\+)?json$/.test(contentType)) {
    throw new HttpProblem('unsupported-media-type', `Send the body as application/json, not '${contentType || 'none'}'.`, {
      errors: [{ field: 'header.content-type', message: 'must be application/json' }],
    });
  }
  return parseJson(text);
}

/** JSON text as a value (undefined when blank), or a malformed-json problem naming the body. */
export function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpProblem('malformed-json', (error as Error).message, { errors: [{ field: 'body', message: 'is not valid JSON' }] });
  }
}

/** A value parsed by its schema, or a validation problem with one field error per issue under `where`. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, where: 'path' | 'query' | 'body'): z.output<S> {
  const parsed = schema.safeParse(value, { error: plainWords });
  if (parsed.success) return parsed.data;
  throw validationProblem(parsed.error.issues.flatMap((issue) => fieldErrors(issue, where)));
}

/** One field error per zod issue, named from `where` (`body`, `body.mutations.3`, …); unknown keys each get their own. */
export function fieldErrors(issue: z.core.$ZodIssue, where: string): FieldError[] {
  const base = [where, ...issue.path.map(String)].join('.');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ field: `${base}.${key}`, message: 'is not a known field' }));
  }
  return [{ field: base, message: issue.message }];
}
