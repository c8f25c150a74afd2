import { nowIso } from '../shared/clock';
import { httpRoute } from '../shared/http';
import { HttpProblem } from '../shared/problem';
import { credentialView, MAX_GPODDER_CREDENTIALS_PER_USER } from './credential-item';
import { credentialBodySchema } from './credential-schemas';
import { createCredential } from './credential-store';

/** A username and password for one gpodder app; the password is in this answer and nowhere else. */
export const handler = httpRoute({ body: credentialBodySchema }, async ({ body, principal }) => {
  const outcome = await createCredential(principal.userId, body.label, nowIso());
  if (outcome === 'limit-reached') {
    throw new HttpProblem('gpodder-credential-limit-reached', `At most ${MAX_GPODDER_CREDENTIALS_PER_USER} gpodder credentials a user; revoke one (DELETE /v1/gpodder/credentials/{credentialId}) first.`);
  }
  return { status: 201, body: { ...credentialView(outcome.credential), password: outcome.password } };
});
