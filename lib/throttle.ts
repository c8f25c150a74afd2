/**
 * API Gateway throttling, as plain data: the stage default every route gets, the context keys
 * that change it, and the lower figures of the routes that cost the most per request (each
 * route's `throttle` in lib/routes.ts). Read by the API stack and its tests.
 *
 * API Gateway keeps a token bucket per route: the stage default is what each route may take on
 * its own, not a budget the routes share; the account's limit (10,000 requests/s in a region,
 * bursts of 5,000, across every API) caps them together. A request over the limit gets 429.
 */
import type { RouteDefinition } from './routes';

export interface Throttle {
  /** Requests per second, sustained. */
  rateLimit: number;
  /** Requests the bucket holds: how many may arrive at once after a quiet spell. */
  burstLimit: number;
}

export const THROTTLE_RATE_CONTEXT_KEY = 'throttleRate';
export const THROTTLE_BURST_CONTEXT_KEY = 'throttleBurst';

/**
 * 100 requests/s per route keeps one runaway client from spending the account's Lambda
 * concurrency (1,000 by default) and the table's on-demand throughput; at one progress PUT
 * per 15 s per viewer (the client SDK's default) the progress route serves 1,500 viewers
 * playing at once, at one per 5 s 500 (viewersServed). Raise it with the context keys when
 * measured load needs more.
 */
export const defaultStageThrottle: Throttle = { rateLimit: 100, burstLimit: 200 };

/** What API Gateway allows an account in a region; a stage or route may not ask for more. */
export const accountThrottle: Throttle = { rateLimit: 10_000, burstLimit: 5_000 };

/** Viewers playing at once that one route's rate serves, each sending a request every `secondsBetweenRequests`. */
export function viewersServed(throttle: Throttle, secondsBetweenRequests: number): number {
  return Math.floor(throttle.rateLimit * secondsBetweenRequests);
}

/** The stage default from the context keys (`-c throttleRate=… -c throttleBurst=…`), each falling back to the default. */
export function stageThrottleFrom(rate: unknown, burst: unknown): Throttle {
  return {
    rateLimit: contextNumber(THROTTLE_RATE_CONTEXT_KEY, rate, defaultStageThrottle.rateLimit, accountThrottle.rateLimit),
    burstLimit: contextNumber(THROTTLE_BURST_CONTEXT_KEY, burst, defaultStageThrottle.burstLimit, accountThrottle.burstLimit),
  };
}

/**
 * The routes with a throttle of their own, by route key (`POST /v1/episodes/fetch`). A route's
 * figure never exceeds the stage's: a stage throttled low (a test stage, say) throttles its
 * expensive routes at least as low.
 */
export function routeThrottles(routes: readonly RouteDefinition[], stage: Throttle): Record<string, Throttle> {
  const entries = routes.flatMap((route) =>
    route.throttle === undefined
      ? []
      : [[`${route.method} ${route.path}`, { rateLimit: Math.min(route.throttle.rateLimit, stage.rateLimit), burstLimit: Math.min(route.throttle.burstLimit, stage.burstLimit) }] as const],
  );
  return Object.fromEntries(entries);
}

function contextNumber(key: string, value: unknown, fallback: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const parsed = typeof value === 'number' ? value : typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > max) throw new Error(`Context key ${key} must be a whole number from 1 to ${max}`);
  return parsed;
}
