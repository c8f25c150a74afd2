import { AlongsideRefused } from '../shared/atomic-writes';
import { nowIso } from '../shared/clock';
import { fieldErrors, httpRoute } from '../shared/http';
import { logger } from '../shared/logger';
import { countSyncConflicts } from '../shared/metrics';
import { HttpProblem, internalProblem } from '../shared/problem';
import { answerWrite, recordAnswer, recordedAnswer, storedResults } from './mutation-results';
import { type Answered, type LocalIds, type Mutation, type MutationContext, type MutationResult, mutationSchema } from '../shared/sync-contract';
import { claimLocalId, findLocalId } from './local-id-store';
import { MAX_PUSH_BODY_BYTES, pushBodySchema } from './mutations';
import { plainWords } from '../shared/field-messages';
import { pushFaults } from './push-faults';
import { requireSession, sessionPathSchema } from './session-access';
import { pushableTypeNames, pushTypeNamed } from './synced-types';

/**
 * Applies a device's mutations in order, each on its own: one bad mutation gets a `rejected`
 * result with a problem and writes nothing, and the others still apply. Each mutation is
 * applied and answered in one write, so a mutation the device sent before (a retry after a
 * lost answer or a crash, or a copy of this push still running) gets its first answer again
 * and is never applied twice.
 */
export const handler = httpRoute(
  { params: sessionPathSchema, body: pushBodySchema, maxBodyBytes: MAX_PUSH_BODY_BYTES },
  async ({ params, body, principal, requestId }) => {
    const session = await requireSession(principal.userId, params.sessionId, Date.now());
    const { userId } = principal;
    const parsed = body.mutations.map((raw) => mutationSchema.safeParse(raw, { error: plainWords }));
    const ids = parsed.flatMap((p) => (p.success ? [p.data.id] : []));
    // Read once to skip work on a retry; the write of each answer is what makes a mutation apply once.
    const earlier = await storedResults(userId, session.deviceId, ids);
    const results: MutationResult[] = [];
    // Answers given now; one sent again for a retried mutation was counted when first given.
    let conflicts = 0;
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
      const nowMs = Date.parse(now);
      const answer = (result: MutationResult) => [answerWrite(userId, session.deviceId, mutation.id, result, nowMs)];
      const localIds = localIdsOf(userId, session.deviceId, nowMs);
      const { result, recorded } = await applyOne({ principal, deviceId: session.deviceId, now, field, answer, localIds }, mutation, requestId);
      pushFaults.afterApply?.(mutation.id);
      // An internal failure is not an answer: the device may send the mutation again.
      const internal = result.status === 'rejected' && result.problem.status >= 500;
      const final = recorded || internal ? result : await recordAnswer(userId, session.deviceId, mutation.id, result, nowMs);
      earlier.set(mutation.id, final);
      results.push(final);
      if (final.status === 'conflict') conflicts++;
    }
    countSyncConflicts(conflicts);
    return { body: { sessionId: session.sessionId, results } };
  },
);

async function applyOne(context: MutationContext, mutation: Mutation, requestId: string): Promise<Answered> {
  try {
    const apply = pushTypeNamed(mutation.type)?.apply;
    if (!apply) {
      throw new HttpProblem('validation-failed', `${context.field}.type: unknown type`, {
        errors: [{ field: `${context.field}.type`, message: `must be one of ${pushableTypeNames().join(', ')}` }],
      });
    }
    return await apply(context, mutation);
  } catch (error) {
    // Another push answered this mutation first (it applied it, or refused it): that answer stands.
    if (error instanceof AlongsideRefused) return { result: await recordedAnswer(context.principal.userId, context.deviceId, mutation.id), recorded: true };
    if (!(error instanceof HttpProblem)) logger.error('mutation failed', { requestId, field: context.field, error: error as Error });
    const problem = error instanceof HttpProblem ? error : internalProblem();
    return { result: { id: mutation.id, status: 'rejected', problem: problem.toJSON(requestId) }, recorded: false };
  }
}

/** The device's local-id mappings, kept as long as the feed's retention window. */
const localIdsOf = (userId: string, deviceId: string, nowMs: number): LocalIds => ({
  claim: (localId, type, proposedKey) => claimLocalId(userId, deviceId, localId, type, proposedKey, nowMs),
  find: (localId) => findLocalId(userId, deviceId, localId),
});
