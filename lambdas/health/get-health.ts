import * as z from 'zod';
import { httpRoute } from '../shared/http';

/**
 * Liveness for load balancers and the local runtime's readiness check; needs no token, and
 * ignores query parameters (uptime checkers add cache-busters).
 */
export const handler = httpRoute({ authenticated: false, query: z.looseObject({}) }, async () => ({ body: { status: 'ok' } }));
