import { describe, expect, it } from 'vitest';
import { type RouteDefinition, routes } from '../../lib/routes';
import { accountThrottle, defaultStageThrottle, routeThrottles, stageThrottleFrom, viewersServed } from '../../lib/throttle';

describe('stage throttle', () => {
  it('defaults to 100 requests/s with bursts of 200: 1,500 viewers at one progress PUT per 15 s, 500 at one per 5 s', () => {
    expect(stageThrottleFrom(undefined, undefined)).toEqual({ rateLimit: 100, burstLimit: 200 });
    expect(viewersServed(defaultStageThrottle, 15)).toBe(1500);
    expect(viewersServed(defaultStageThrottle, 5)).toBe(500);
  });

  it('takes whole numbers from the context keys, as -c strings or cdk.json numbers, each on its own', () => {
    expect(stageThrottleFrom('250', undefined)).toEqual({ rateLimit: 250, burstLimit: 200 });
    expect(stageThrottleFrom(undefined, 500)).toEqual({ rateLimit: 100, burstLimit: 500 });
    expect(stageThrottleFrom('', '')).toEqual(defaultStageThrottle);
  });

  it.each([['0'], ['-5'], ['1e3'], ['12.5'], [12.5], ['many'], [true], [accountThrottle.rateLimit + 1]])('refuses a rate of %o', (rate) => {
    expect(() => stageThrottleFrom(rate, undefined)).toThrow(/throttleRate must be a whole number from 1 to 10000/);
  });

  it('refuses a burst over what the account allows', () => {
    expect(() => stageThrottleFrom(undefined, accountThrottle.burstLimit + 1)).toThrow(/throttleBurst/);
    expect(stageThrottleFrom(undefined, accountThrottle.burstLimit).burstLimit).toBe(5000);
  });
});

describe('route throttles', () => {
  const table = routes as readonly RouteDefinition[];

  it('name the routes of lib/routes.ts that carry a throttle, by route key', () => {
    expect(Object.keys(routeThrottles(table, defaultStageThrottle)).sort()).toEqual(['POST /v1/catalogs/{catalogId}/diff', 'POST /v1/episodes/fetch', 'POST /v1/sync/sessions/{sessionId}/push']);
  });

  it('are below the default stage throttle, and never above a lower stage throttle', () => {
    for (const route of table.filter((r) => r.throttle !== undefined)) {
      expect(route.throttle?.rateLimit, route.id).toBeLessThan(defaultStageThrottle.rateLimit);
      expect(route.throttle?.burstLimit, route.id).toBeLessThan(defaultStageThrottle.burstLimit);
    }
    const low = routeThrottles(table, { rateLimit: 10, burstLimit: 15 });
    expect(low['POST /v1/catalogs/{catalogId}/diff']).toEqual({ rateLimit: 5, burstLimit: 10 });
    expect(low['POST /v1/episodes/fetch']).toEqual({ rateLimit: 10, burstLimit: 15 });
  });
});
