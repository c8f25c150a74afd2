import { nowIso } from '../shared/clock';
import { fieldErrors, httpRoute } from '../shared/http';
import { HttpProblem, internalProblem } from '../shared/problem';
import { logger } from '../shared/logger';
import { mutationAppliers } from './mutation-appliers';
import { MAX_PUSH_BODY_BYTES, type MutationResult, mutationSchema, pushBodySchema } from './mutations';
import { requireSession, sessionPathSchema } from './session-access';

/**
 * Applies a device's mutations in order, each on its own: one bad mutation gets a `rejected`
 * result with a problem and writes nothing, and the others still apply.
 */
export const handler = httpRoute(
  { params: sessionPathSchema, body: pushBodySchema, maxBodyBytes: MAX_PUSH_BODY_BYTES },
  async ({ params, body, principal, requestId }) => {
    const session = await requireSession(principal.userId, params.sessionId, Date.now());
    const results: MutationResult[] = [];
    for (const [index, raw] of body.mutations.entries()) {
      const field = `body.mutations.${index}`;
      const id = typeof (raw as { id?: unknown })?.id === 'string' ? String((raw as { id: string }).id) : `#${index}`;
      try {
        const parsed = mutationSchema.safeParse(raw);
        if (!parsed.success) {
          throw new HttpProblem('validation-failed', `${field} is not a valid mutation`, {
            errors: parsed.error.issues.flatMap((issue) => fieldErrors(issue, field)),
          });
        }
        const apply = mutationAppliers[parsed.data.type];
        if (!apply) {
          throw new HttpProblem('validation-failed', `${field}.type: unknown type`, {
            errors: [{ field: `${field}.type`, message: `must be one of ${Object.keys(mutationAppliers).join(', ')}` }],
          });
        }
        results.push(await apply({ principal, deviceId: session.deviceId, now: nowIso(), field }, parsed.data));
      } catch (error) {
        if (!(error instanceof HttpProblem)) logger.error('mutation failed', { requestId, index, error: error as Error });
        const problem = error instanceof HttpProblem ? error : internalProblem();
        results.push({ id, status: 'rejected', problem: problem.toJSON(requestId) });
      }
    }
    return { body: { sessionId: session.sessionId, results } };
  },
);
