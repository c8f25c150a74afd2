import { hkdf } from 'node:crypto';
import { DEPLOYMENT_SECRET_ENV } from '../../lib/queue-definitions';
import { requireEnv } from './config';

/**
 * One random secret per deployment (Secrets Manager in AWS, `.playhead/deployment-secret`
 * locally); every use gets its own key derived from it with HKDF-SHA-256, so a key leaked
 * from one use (a cookie MAC) says nothing about another (credential hashes).
 *
 * The secret reaches the function through its environment, resolved by CloudFormation at
 * deploy time like the feed cursor secret: no Secrets Manager client in the bundle and no
 * call on a cold start. It is read on first use, not at module load, so a bundle that never
 * derives a key needs no secret.
 */
const KEY_BYTES = 32;
/** Fixed, public: HKDF's salt only has to be the same on every derivation. */
const SALT = 'playhead deployment key v1';

const keys = new Map<string, Promise<Uint8Array>>();

/** The key for one purpose (`'gpodder-credential'`, `'gpodder-session'`), derived once per container. */
export function deploymentKey(purpose: string): Promise<Uint8Array> {
  let key = keys.get(purpose);
  if (key === undefined) {
    key = derive(requireEnv(DEPLOYMENT_SECRET_ENV), purpose);
    keys.set(purpose, key);
  }
  return key;
}

function derive(secret: string, purpose: string): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    hkdf('sha256', secret, SALT, purpose, KEY_BYTES, (error, derived) => (error ? reject(error) : resolve(new Uint8Array(derived))));
  });
}
