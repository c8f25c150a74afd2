/**
 * How the push sender reaches APNs, FCM and its credentials: environment variable names and
 * the production values the CDK stack sets. The local stack sets the same variables to its
 * fakes (local/push-fakes.ts), so the handler runs unchanged on a laptop. Pure data.
 */
export const pushEnv = {
  /** APNs for tokens of production builds (`environment: production`). */
  apnsEndpoint: 'APNS_ENDPOINT',
  /** APNs for tokens of development builds (`environment: sandbox`). */
  apnsSandboxEndpoint: 'APNS_SANDBOX_ENDPOINT',
  /** FCM HTTP v1: `<endpoint>/v1/projects/<project>/messages:send`. */
  fcmEndpoint: 'FCM_ENDPOINT',
  /** Google's OAuth token endpoint, where the service account's signed assertion buys an access token. */
  fcmTokenEndpoint: 'FCM_TOKEN_ENDPOINT',
  /** The Secrets Manager secret that holds the APNs key and the FCM service account. */
  credentialsSecretId: 'PUSH_CREDENTIALS_SECRET_ID',
  /** Seconds between two sync hints to one device (default 1200). */
  hintWindowSeconds: 'PUSH_HINT_WINDOW_SECONDS',
} as const;

export const productionPushEndpoints = {
  [pushEnv.apnsEndpoint]: 'https://api.push.apple.com',
  [pushEnv.apnsSandboxEndpoint]: 'https://api.sandbox.push.apple.com',
  [pushEnv.fcmEndpoint]: 'https://fcm.googleapis.com',
  [pushEnv.fcmTokenEndpoint]: 'https://oauth2.googleapis.com/token',
} as const;

/**
 * Where a function reads a secret through the AWS Parameters and Secrets Lambda extension
 * (the extension's own variable; 2773 when unset). The local stack serves the same HTTP API.
 */
export const SECRETS_EXTENSION_PORT_ENV = 'PARAMETERS_SECRETS_EXTENSION_HTTP_PORT';

/** Marked on the log line an alarm counts (lib/cdk/api-stack.ts): the push services refuse our credentials, or there are none. */
export const CREDENTIALS_ALARM = 'push-credentials-refused';
