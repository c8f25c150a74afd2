/**
 * Cross-origin access for browser apps on another origin: which origins, and what they may
 * send and read. The API stack gives it to API Gateway (which then answers preflights itself)
 * and the local gateway answers the same way. Tokens travel in the Authorization header, not
 * in cookies, so credentials are never allowed, and an origin is always named exactly:
 * no wildcard, ever.
 */
export const CORS_CONTEXT_KEY = 'corsOrigins';

export const CORS_ALLOWED_METHODS = ['GET', 'PUT', 'POST', 'PATCH', 'DELETE'] as const;
export const CORS_ALLOWED_HEADERS = ['authorization', 'content-type', 'if-match'] as const;
/** Response headers a page may read: paging, dataset versions, backoff. */
export const CORS_EXPOSED_HEADERS = ['etag', 'link', 'retry-after'] as const;
export const CORS_MAX_AGE_SECONDS = 600;

const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?$/;

/**
 * The context value: a list of origins, or one string with origins separated by commas (as
 * `cdk deploy -c corsOrigins=https://a.example,https://b.example` gives it). Absent: none.
 */
export function parseCorsOrigins(value: unknown): string[] {
  if (value === undefined || value === null || value === '') return [];
  const list = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : undefined;
  if (list === undefined) throw new Error(`Context key ${CORS_CONTEXT_KEY} must be a list of origins or a comma-separated string`);
  return list.map((entry: unknown) => {
    const origin = typeof entry === 'string' ? entry.trim() : '';
    if (!ORIGIN.test(origin)) throw new Error(`Context key ${CORS_CONTEXT_KEY}: '${String(entry)}' is not an origin like https://app.example.com (no path, no wildcard)`);
    return origin;
  });
}
