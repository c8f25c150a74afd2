import { randomBytes } from 'node:crypto';
import { readStateFile, writeStateFile } from './state-file';

/** 32 random bytes in base64url, as every secret this module makes. */
const SECRET_FORMAT = /^[A-Za-z0-9_-]{43}$/;

/** A random secret made on first start and kept under .playhead/, as Secrets Manager keeps it in AWS. */
export function loadOrCreateSecret(
  file: string,
  /** What stops working when the secret is replaced, for the message that asks to delete a damaged one. */
  whatBreaks = 'cursors handed out before stop verifying (a device sending one gets a 400 and must sync again without a cursor)',
): string {
  const text = readStateFile(file);
  if (text !== undefined) {
    const secret = text.trim();
    // Written whole or not at all: a secret of another shape was edited or cut short by an older writer.
    if (!SECRET_FORMAT.test(secret)) {
      throw new Error(
        `the secret ${file} is damaged (not 43 base64url characters). Delete it to make a new secret at the next start; ${whatBreaks}.`,
      );
    }
    return secret;
  }
  const secret = randomBytes(32).toString('base64url');
  writeStateFile(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
