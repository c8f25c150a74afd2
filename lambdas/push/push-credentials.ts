import * as z from 'zod';
import { pushEnv, SECRETS_EXTENSION_PORT_ENV } from '../../lib/push-definitions';
import { requireEnv } from '../shared/config';

/**
 * The one secret the push sender reads (docs/PUSH.md says how to fill it): the APNs signing key
 * (a .p8 file's PKCS #8 PEM, its key id, the team id and the app's bundle id) and the FCM
 * service account JSON as Google issues it. Either half may be left out; devices of a platform
 * without credentials are not pushed to.
 */
export const pushCredentialsSchema = z.object({
  apns: z
    .object({
      teamId: z.string().regex(/^[A-Z0-9]{10}$/, 'must be the 10-character Apple team id'),
      keyId: z.string().regex(/^[A-Z0-9]{10}$/, 'must be the 10-character key id'),
      topic: z.string().min(1),
      privateKey: z.string().includes('PRIVATE KEY'),
    })
    .optional(),
  fcm: z
    .object({
      project_id: z.string().min(1),
      client_email: z.string().min(1),
      private_key: z.string().includes('PRIVATE KEY'),
      private_key_id: z.string().optional(),
    })
    .optional(),
});
export type PushCredentials = z.infer<typeof pushCredentialsSchema>;
export type ApnsCredentials = NonNullable<PushCredentials['apns']>;
export type FcmCredentials = NonNullable<PushCredentials['fcm']>;

/** The secret cannot be read or does not hold credentials: nothing is sent and nothing deleted. */
export class PushCredentialsUnavailable extends Error {
  constructor(reason: string) {
    super(`push credentials unavailable: ${reason}`);
    this.name = 'PushCredentialsUnavailable';
  }
}

let loaded: Promise<PushCredentials> | undefined;

/**
 * Read once per execution environment, through the Parameters and Secrets extension (an HTTP
 * call to the extension in the same sandbox, so the bundle carries no Secrets Manager client).
 * A failed read is tried again on the next batch.
 */
export function pushCredentials(): Promise<PushCredentials> {
  loaded ??= readSecret().catch((error: unknown) => {
    loaded = undefined;
    throw error;
  });
  return loaded;
}

async function readSecret(): Promise<PushCredentials> {
  const secretId = requireEnv(pushEnv.credentialsSecretId);
  const port = process.env[SECRETS_EXTENSION_PORT_ENV] || '2773';
  const response = await fetch(`http://localhost:${port}/secretsmanager/get?secretId=${encodeURIComponent(secretId)}`, {
    headers: { 'X-Aws-Parameters-Secrets-Token': process.env.AWS_SESSION_TOKEN ?? '' },
    signal: AbortSignal.timeout(5000),
  });
  if (!response.ok) throw new PushCredentialsUnavailable(`the secrets extension answered ${response.status}`);
  const { SecretString } = (await response.json()) as { SecretString?: string };
  let value: unknown;
  try {
    value = JSON.parse(SecretString ?? '');
  } catch {
    throw new PushCredentialsUnavailable('the secret is not JSON');
  }
  const parsed = pushCredentialsSchema.safeParse(value);
  if (!parsed.success) throw new PushCredentialsUnavailable(`the secret does not match its schema: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
