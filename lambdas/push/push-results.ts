/**
 * What one push came to, and what the sender does about it:
 * - `sent`: delivered to the push service;
 * - `gone`: the service says the token is dead (APNs 410 or a bad-token 400, FCM UNREGISTERED):
 *   the device is forgotten;
 * - `retry`: throttled, unavailable or unreachable (429, 5xx, a network error): the message goes
 *   back to SQS and comes again;
 * - `refused`: our credentials or signature were refused, or are missing: nothing is deleted,
 *   the message is retried (then the DLQ) and an alarm fires;
 * - `dropped`: this push can never be accepted (a payload the service refuses): logged.
 */
export type PushResult =
  | { kind: 'sent' }
  | { kind: 'gone'; reason: string }
  | { kind: 'retry'; reason: string }
  | { kind: 'refused'; reason: string }
  | { kind: 'dropped'; reason: string };

export const SENT: PushResult = { kind: 'sent' };

/** Token problems that mean the device is gone; other 400s mean this push was wrong. */
const DEAD_TOKEN_REASONS = new Set(['BadDeviceToken', 'DeviceTokenNotForTopic', 'Unregistered']);
/** 403s and this 429 are about our key or token, never the device's. */
const CREDENTIAL_REASONS = new Set(['TooManyProviderTokenUpdates']);

export function apnsResult(status: number, reason: string | undefined): PushResult {
  if (status === 200) return SENT;
  const why = `APNs ${status} ${reason ?? ''}`.trim();
  if (status === 410) return { kind: 'gone', reason: why };
  if (status === 400 && reason !== undefined && DEAD_TOKEN_REASONS.has(reason)) return { kind: 'gone', reason: why };
  if (status === 403 || (reason !== undefined && CREDENTIAL_REASONS.has(reason))) return { kind: 'refused', reason: why };
  if (status === 429 || status >= 500) return { kind: 'retry', reason: why };
  return { kind: 'dropped', reason: why };
}

export interface FcmError {
  error?: { status?: string; message?: string; details?: { '@type'?: string; errorCode?: string; fieldViolations?: { field?: string }[] }[] };
}

export function fcmResult(status: number, answer: FcmError): PushResult {
  if (status === 200) return SENT;
  const details = answer.error?.details ?? [];
  const code = details.find((d) => d.errorCode !== undefined)?.errorCode ?? answer.error?.status ?? '';
  const why = `FCM ${status} ${code}`.trim();
  const badToken = details.some((d) => (d.fieldViolations ?? []).some((v) => v.field === 'message.token'));
  if (code === 'UNREGISTERED' || status === 404) return { kind: 'gone', reason: why };
  // A token from another Firebase project can never be reached with this account.
  if (code === 'SENDER_ID_MISMATCH') return { kind: 'gone', reason: why };
  if (status === 400 && badToken) return { kind: 'gone', reason: why };
  if (status === 401 || status === 403) return { kind: 'refused', reason: why };
  if (status === 429 || status >= 500) return { kind: 'retry', reason: why };
  return { kind: 'dropped', reason: why };
}
