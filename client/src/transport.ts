import type { Problem } from './api';
import type { Clock } from './clock';

export interface RetryOptions {
  /** Tries per request, the first included (default 6). */
  attempts?: number;
  /** First backoff step (default 250 ms); each retry doubles it, up to `maxDelayMs`. */
  baseDelayMs?: number;
  /** Largest backoff step (default 20 s). */
  maxDelayMs?: number;
  /** A `Retry-After` longer than this is not waited for: the request fails (default 60 s). */
  maxRetryAfterMs?: number;
}

export interface TransportOptions {
  baseUrl: string;
  token: () => Promise<string> | string;
  fetch: typeof fetch;
  clock: Clock;
  retry: RetryOptions;
  random: () => number;
}

/** An answer the API gave that is not a success: its status and problem (RFC 9457). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
    readonly retryAfterMs?: number,
  ) {
    super(`${status} ${problem?.title ?? 'request failed'}${problem?.detail ? `: ${problem.detail}` : ''}`);
    this.name = 'ApiError';
  }
  /** The problem's slug (`session-not-found`, `cursor-expired`, …). */
  get slug(): string | undefined {
    return this.problem?.type.replace(/^urn:playhead:problem:/, '');
  }
}

/** The request never got an answer (no network, DNS, connection refused, reset). */
export class NetworkError extends Error {
  constructor(override readonly cause: unknown) {
    super(`network error: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'NetworkError';
  }
}

const retryable = (error: unknown): boolean => error instanceof NetworkError || (error instanceof ApiError && (error.status >= 500 || error.status === 429));

/** `Retry-After` in seconds or as an HTTP date, in milliseconds from now. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * The wait before retry `attempt` (1 for the first retry): "full jitter", a random time up to
 * the doubled step, so that many devices failing together do not come back together. A
 * `Retry-After` from the server is a floor.
 */
export function backoffMs(attempt: number, retry: Required<RetryOptions>, random: () => number, retryAfter?: number): number {
  const step = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
  const jittered = Math.round(random() * step);
  return retryAfter === undefined ? jittered : Math.max(retryAfter, jittered);
}

export interface Transport {
  /** A JSON request to the API, retried on network errors, 5xx and 429. */
  json<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** A request to a presigned URL (no token, no JSON). */
  raw(method: string, url: string, headers: Record<string, string>, body?: RequestInit['body']): Promise<Response>;
}

export function createTransport(options: TransportOptions): Transport {
  const retry: Required<RetryOptions> = { attempts: 6, baseDelayMs: 250, maxDelayMs: 20_000, maxRetryAfterMs: 60_000, ...options.retry };
  const base = options.baseUrl.replace(/\/+$/, '');

  async function withRetries<T>(attemptOnce: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await attemptOnce();
      } catch (error) {
        if (!retryable(error) || attempt >= retry.attempts) throw error;
        const after = error instanceof ApiError ? error.retryAfterMs : undefined;
        if (after !== undefined && after > retry.maxRetryAfterMs) throw error;
        await options.clock.sleep(backoffMs(attempt, retry, options.random, after));
      }
    }
  }

  async function send(url: string, init: RequestInit): Promise<Response> {
    try {
      return await options.fetch(url, init);
    } catch (error) {
      throw new NetworkError(error);
    }
  }

  async function failure(response: Response): Promise<ApiError> {
    const text = await response.text().catch(() => '');
    let problem: Problem | undefined;
    try {
      problem = text === '' ? undefined : (JSON.parse(text) as Problem);
    } catch {
      problem = undefined;
    }
    return new ApiError(response.status, problem, retryAfterMs(response.headers.get('retry-after'), options.clock.now()));
  }

  return {
    json<T>(method: string, path: string, body?: unknown): Promise<T> {
      return withRetries(async () => {
        let refreshed = false;
        for (;;) {
          const headers: Record<string, string> = { authorization: `Bearer ${await options.token()}` };
          if (body !== undefined) headers['content-type'] = 'application/json';
          const response = await send(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
          // A token that expired in flight: ask the app for a fresh one, once.
          if (response.status === 401 && !refreshed) {
            refreshed = true;
            await response.text().catch(() => '');
            continue;
          }
          if (!response.ok) throw await failure(response);
          const text = await response.text();
          return (text === '' ? undefined : JSON.parse(text)) as T;
        }
      });
    },
    raw(method, url, headers, body) {
      return withRetries(async () => {
        const response = await send(url, { method, headers, body });
        if (!response.ok) throw await failure(response);
        return response;
      });
    },
  };
}
