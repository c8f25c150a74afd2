import { type AnalyticsEvent, analyticsEventSchema } from '../../lambdas/events/analytics-events';
import { queueReader } from './queue-reader';

// Every message must match the event module's schema exactly.
const analyticsWhere = queueReader('analytics', (body) => analyticsEventSchema.parse(body));

/** The analytics events about these assets: `expected` of them, plus any extra that follows. */
export async function analyticsFor(assetIds: string[], expected: number, quietMs = 1500): Promise<{ raw: string; event: AnalyticsEvent }[]> {
  const ids = new Set(assetIds);
  const found = await analyticsWhere((event) => ids.has(event.assetId), expected, quietMs);
  return found.map((f) => ({ raw: f.raw, event: f.message }));
}
