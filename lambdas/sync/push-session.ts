import { nowIso } from '../shared/clock';
import { fieldErrors, httpRoute } from '../shared/http';
import { logger } from '../shared/logger';
import { HttpProblem, internalProblem } from '../shared/problem';
import { mutationAppliers } from './mutation-appliers';
import { storedResults, storeResult } from './mutation-results';
import { MAX_PUSH_BODY_BYTES, type Mutation, type MutationContext, type MutationResult, mutationSchema, pushBodySchema } from './mutations';
import { requireSession, sessionPathSchema } from './session-access';

/**
 * Applies a device's mutations in order, each on its own: one bad mutation gets a `rejected`
 * result with a problem and writes nothing, and the others still apply. A mutation the device
 * sent before gets its first answer again and is not applied twice.
 */
export const handler = httpRoute(
  { params: sessionPathSchema, body: pushBodySchema, maxBodyBytes: MAX_PUSH_BODY_BYTES },
  async ({ params, body, principal, requestId }) => {
    const session = await requireSession(principal.userId, params.sessionId, Date.now());
    const parsed = body.mutations.map((raw) => mutationSchema.safeParse(raw));
    const ids = parsed.flatMap((p) => (p.success ? [p.data.id] : []));
    const earlier = await storedResults(principal.userId, session.deviceId, ids);
    const results: MutationResult[] = [];
    for (const [index, attempt] of parsed.entries()) {
      const field = `body.mutations.${index}`;
      if (!attempt.success) {
        const raw = body.mutations[index] as { id?: unknown } | null;
        const problem = new HttpProblem('validation-failed', `${field} is not a valid mutation`, {
          errors: attempt.error.issues.flatMap((issue) => fieldErrors(issue, field)),
        });
        results.push({ id: typeof raw?.id === 'string' ? raw.id : `#${index}`, status: 'rejected', problem: problem.toJSON(requestId) });
        continue;
      }
      const mutation = attempt.data;
      const before = earlier.get(mutation.id);
      if (before) {
        results.push(before);
        continue;
      }
      const now = nowIso();
      const result = await applyOne({ principal, deviceId: session.deviceId, now, field }, mutation, requestId);
      // An internal failure is not an answer: the device may send the mutation again.
      if (!(result.status === 'rejected' && result.problem.status >= 500)) {
        await storeResult(principal.userId, session.deviceId, mutation.id, result, Date.parse(now));
      }
      earlier.set(mutation.id, result);
      results.push(result);
    }
    return { body: { sessionId: session.sessionId, results } };
  },
);

async function applyOne(context: MutationContext, mutation: Mutation, requestId: string): Promise<MutationResult> {
  try {
    const apply = Object.hasOwn(mutationAppliers, mutation.type) ? mutationAppliers[mutation.type] : undefined;
    if (!apply) {
      throw new HttpProblem('validation-failed', `${context.field}.type: unknown type`, {
        errors: [{ field: `${context.field}.type`, message: `must be one of ${Object.keys(mutationAppliers).join(', ')}` }],
      });
    }
    return await apply(context, mutation);
  } catch (error) {
    if (!(error instanceof HttpProblem)) logger.error('mutation failed', { requestId, field: context.field, error: error as Error });
    const problem = error instanceof HttpProblem ? error : internalProblem();
    return { id: mutation.id, status: 'rejected', problem: problem.toJSON(requestId) };
  }
}
