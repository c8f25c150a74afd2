import type { Context } from 'aws-lambda';
import { logger } from './logger';
import { withMetrics } from './metrics';

/**
 * What every Playhead function does around each invocation, routes and consumers alike: the
 * logger learns the invocation (cold start, function name, version, ARN, memory, request id),
 * so every line it writes names them; and what the invocation counted is written as one
 * metrics line when it ends.
 */
export function invocation<E, R>(fn: (event: E, context?: Context) => Promise<R>): (event: E, context?: Context) => Promise<R> {
  return (event, context) => {
    // Lambda always passes a context; a caller that has none (a unit test) gets lines without it.
    if (context !== undefined) logger.addContext(context);
    return withMetrics(() => fn(event, context));
  };
}
