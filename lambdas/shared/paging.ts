import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod';
import { HttpProblem } from './problem';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

/** `limit`: plain digits only, 1 to MAX_PAGE_SIZE. */
export const pageLimitSchema = z
  .string()
  .regex(/^[0-9]{1,4}$/, `must be a whole number from 1 to ${MAX_PAGE_SIZE}`)
  .transform(Number)
  .pipe(z.number().int().min(1).max(MAX_PAGE_SIZE))
  .default(DEFAULT_PAGE_SIZE);

/** `limit` and `cursor` query parameters shared by every list route. */
export const pageQuerySchema = z.strictObject({
  limit: pageLimitSchema,
  cursor: z.string().max(1024).optional(),
});

/**
 * Cursors are opaque to clients: base64url of the last sort key returned. They never carry a
 * partition key; the caller's own partition is always taken from the token, so a cursor
 * cannot reach another user's items.
 */
export function encodeCursor(sortKey: string): string {
  return Buffer.from(JSON.stringify({ after: sortKey }), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, isValidSortKey: (sortKey: string) => boolean): string {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const after = (decoded as { after?: unknown }).after;
    if (typeof after === 'string' && isValidSortKey(after)) return after;
  } catch {
    // fall through to the problem below
  }
  throw new HttpProblem('validation-failed', 'The cursor is not one this API issued.', {
    errors: [{ field: 'query.cursor', message: 'is not a valid cursor' }],
  });
}

/** RFC 8288 `Link` header pointing at the next page; the body stays a plain array. */
export function nextLinkHeader(event: APIGatewayProxyEventV2, limit: number, nextCursor: string | undefined): Record<string, string> {
  if (nextCursor === undefined) return {};
  const query = new URLSearchParams({ limit: String(limit), cursor: nextCursor });
  return { link: `<${event.rawPath}?${query.toString()}>; rel="next"` };
}

/** A list reply: the page as a plain array, and a `Link` to the next page when more remain. */
export function pagedReply<T>(event: APIGatewayProxyEventV2, limit: number, page: { items: T[]; lastSortKey: string | undefined }) {
  return {
    body: page.items,
    headers: nextLinkHeader(event, limit, page.lastSortKey === undefined ? undefined : encodeCursor(page.lastSortKey)),
  };
}
