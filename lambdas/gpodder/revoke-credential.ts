import { httpRoute } from '../shared/http';
import { HttpProblem } from '../shared/problem';
import { credentialView } from './credential-item';
import { credentialPathSchema } from './credential-schemas';
import { revokeCredential } from './credential-store';

/** The credential signs in nobody from now on; another user's id is as unknown as a made-up one. */
export const handler = httpRoute({ params: credentialPathSchema }, async ({ params, principal }) => {
  const revoked = await revokeCredential(principal.userId, params.credentialId);
  if (revoked === undefined) throw new HttpProblem('gpodder-credential-not-found');
  return { body: credentialView(revoked) };
});
