import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type * as z from 'zod';
import { checkBodySize, measuredRequest, parseJson, parseWith, problemResponse } from '../shared/http';
import { invocation } from '../shared/invocation';
import { HttpProblem, validationProblem } from '../shared/problem';
import { authenticate, type GpodderCaller, isHttps } from './gpodder-auth';
import { deviceIdSchema, type GpodderFormat, splitFormat, usernameSchema } from './gpodder-paths';
import { expiredSessionCookie } from './gpodder-session';

/**
 * The wrapper of every `/gpodder/…` route, the counterpart of `httpRoute` for clients that
 * were written against gpodder.net and are strict in other ways:
 * - HTTP Basic or the session cookie (gpodder-auth.ts), and a 401 carries
 *   `WWW-Authenticate: Basic realm="Playhead"` (without it mygpoclient never sends the password);
 * - a body is JSON whatever its content type (mygpoclient labels JSON as a form, AntennaPod
 *   as `plain/text`), up to 1 MiB (a first sync posts every subscription at once);
 * - unknown query parameters and body fields are ignored, as gpodder.net ignores them;
 * - every success is exactly 200 (AntennaPod fails on anything else), often with an empty body;
 * - the path's username must be the caller's (else 400, as gpodder.net answers), so no path
 *   reaches another user's data.
 */

export const GPODDER_MAX_BODY_BYTES = 1024 * 1024;
export const GPODDER_REALM = 'Playhead';

export interface GpodderRouteSpec<Q extends z.ZodType, B extends z.ZodType> {
  /** Formats the last path segment may name (`.json` unless said). */
  formats?: readonly GpodderFormat[];
  /** A lenient query schema: unknown parameters pass. */
  query?: Q;
  /** The body's schema, applied to the JSON (or, for `text`, to the lines). */
  body?: B;
  /** The simple API's `.txt` upload: one URL a line. */
  textBody?: boolean;
}

export interface GpodderInput<Q extends z.ZodType, B extends z.ZodType> {
  caller: GpodderCaller;
  /** The path's username (checked against the caller's) and device id, when the path has one. */
  deviceId: string | undefined;
  format: GpodderFormat;
  query: z.output<Q>;
  body: z.output<B>;
  nowMs: number;
  event: APIGatewayProxyEventV2;
}

export type GpodderReply = { json: unknown } | { text: string; contentType: string } | { empty: true; expireSession?: boolean };

type Handler = (event: APIGatewayProxyEventV2, context?: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export function gpodderRoute<Q extends z.ZodType = z.ZodUndefined, B extends z.ZodType = z.ZodUndefined>(
  spec: GpodderRouteSpec<Q, B>,
  fn: (input: GpodderInput<Q, B>) => Promise<GpodderReply>,
): Handler {
  const formats = spec.formats ?? ['json'];
  return invocation((event: APIGatewayProxyEventV2) =>
    measuredRequest(event, async (requestId) => {
      // Under any content type: gpodder apps send JSON as text/plain or form data.
      const text = checkBodySize(event, GPODDER_MAX_BODY_BYTES);
      const nowMs = Date.now();
      const caller = await authenticate(event, nowMs);
      if (caller === undefined) return challenge(event, requestId);
      const { deviceId, format } = checkPath(event, caller, formats);
      const query = spec.query ? parseWith(spec.query, event.queryStringParameters ?? {}, 'query') : undefined;
      const body = spec.body ? parseWith(spec.body, spec.textBody && format === 'txt' ? textLines(text) : parseJson(text), 'body') : undefined;
      const reply = await fn({ caller, deviceId, format, query, body, nowMs, event } as GpodderInput<Q, B>);
      return render(reply, caller, isHttps(event));
    }),
  );
}

function challenge(event: APIGatewayProxyEventV2, requestId: string): APIGatewayProxyStructuredResultV2 {
  const problem = problemResponse(new HttpProblem('unauthorized', 'Sign in with HTTP Basic: the username and app password from POST /v1/gpodder/credentials.'), requestId);
  const hadCookie = (event.cookies?.length ?? 0) > 0 || event.headers?.cookie !== undefined;
  return {
    ...problem,
    headers: { ...problem.headers, 'www-authenticate': `Basic realm="${GPODDER_REALM}"` },
    // A session that no longer signs anyone in (revoked, forged) is cleared, so the client's next try sends the password.
    ...(hadCookie ? { cookies: [expiredSessionCookie(isHttps(event))] } : {}),
  };
}

function checkPath(event: APIGatewayProxyEventV2, caller: GpodderCaller, formats: readonly GpodderFormat[]): { deviceId: string | undefined; format: GpodderFormat } {
  const params = event.pathParameters ?? {};
  let username = params.username;
  let deviceId: string | undefined;
  let format: GpodderFormat = 'json';
  const last = params.deviceFile ?? params.userFile;
  if (last !== undefined) {
    const split = splitFormat(last, formats);
    if (split === undefined) throw new HttpProblem('route-not-found', `${event.rawPath}: this route answers ${formats.map((f) => `.${f}`).join(', ')}`);
    format = split.format;
    if (params.deviceFile !== undefined) deviceId = split.name;
    else username = split.name;
  }
  const errors = [
    ...(usernameSchema.safeParse(username).success ? [] : [{ field: 'path.username', message: 'must be a gpodder username' }]),
    ...(deviceId === undefined || deviceIdSchema.safeParse(deviceId).success ? [] : [{ field: 'path.deviceId', message: 'must be a device id of letters, digits, dots, dashes and underscores' }]),
  ];
  if (errors.length > 0) throw validationProblem(errors);
  if (username?.toLowerCase() !== caller.username.toLowerCase()) throw validationProblem([{ field: 'path.username', message: 'is not the signed-in user' }]);
  return { deviceId, format };
}

const textLines = (text: string): string[] =>
  text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');

function render(reply: GpodderReply, caller: GpodderCaller, secure: boolean): APIGatewayProxyStructuredResultV2 {
  const cookies = 'expireSession' in reply && reply.expireSession ? [expiredSessionCookie(secure)] : caller.cookies;
  const base = { statusCode: 200, ...(cookies.length > 0 ? { cookies } : {}) };
  if ('json' in reply) return { ...base, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }, body: JSON.stringify(reply.json) };
  if ('text' in reply) return { ...base, headers: { 'content-type': reply.contentType, 'cache-control': 'no-store' }, body: reply.text };
  return { ...base, headers: { 'cache-control': 'no-store' }, body: '' };
}
