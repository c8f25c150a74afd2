import { httpRoute } from '../shared/http';

/** Liveness for load balancers and the local runtime's readiness check; needs no token. */
export const handler = httpRoute({ authenticated: false }, async () => ({ body: { status: 'ok' } }));
