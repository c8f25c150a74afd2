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
