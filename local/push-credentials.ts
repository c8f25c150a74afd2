import { generateKeyPair, randomBytes } from 'node:crypto';
import { pushCredentialsSchema } from '../lambdas/push/push-credentials';
import type { PushCredentials } from '../lambdas/push/push-credentials';
import { readStateFile, writeStateFile } from './state-file';

/** What the local secret holds: the APNs and FCM halves, both present. */
export type LocalPushCredentials = Required<PushCredentials>;

/**
 * The laptop's push credentials, made on first start and kept under .playhead/ like the JWT
 * signing key: an APNs P-256 key (what a .p8 file holds) and an FCM service account with an
 * RSA key. The sender reads them through the local secrets extension, the fakes verify with
 * their public halves.
 */
export async function loadOrCreatePushCredentials(file: string): Promise<LocalPushCredentials> {
  const text = readStateFile(file);
  if (text !== undefined) {
    const parsed = pushCredentialsSchema.safeParse(JSON.parse(text));
    if (!parsed.success || parsed.data.apns === undefined || parsed.data.fcm === undefined) {
      throw new Error(`the local push credentials ${file} are damaged. Delete the file to make new ones at the next start.`);
    }
    return { apns: parsed.data.apns, fcm: parsed.data.fcm };
  }
  // Off the event loop: the RSA key takes a while, and the rest of the stack starts meanwhile.
  const settle = (resolve: (pem: string) => void, reject: (error: Error) => void) => (error: Error | null, _publicKey: string, privateKey: string) =>
    error ? reject(error) : resolve(privateKey);
  const [apnsPrivateKey, fcmPrivateKey] = await Promise.all([
    new Promise<string>((resolve, reject) =>
      generateKeyPair('ec', { namedCurve: 'P-256', privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }, settle(resolve, reject)),
    ),
    new Promise<string>((resolve, reject) =>
      generateKeyPair('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }, settle(resolve, reject)),
    ),
  ]);
  const credentials: LocalPushCredentials = {
    apns: { teamId: 'PLAYHEADTM', keyId: randomBytes(5).toString('hex').toUpperCase(), topic: 'com.playhead.local', privateKey: apnsPrivateKey },
    fcm: {
      project_id: 'playhead-local',
      client_email: 'push-sender@playhead-local.iam.gserviceaccount.com',
      private_key: fcmPrivateKey,
      private_key_id: randomBytes(20).toString('hex'),
    },
  };
  writeStateFile(file, JSON.stringify(credentials, null, 2), { mode: 0o600 });
  return credentials;
}
