import { describe, expect, it } from 'vitest';
import { hintPush, MAX_PUSH_PAYLOAD_BYTES, packetPush, payloadBytes, type Target } from '../../lambdas/push/push-payloads';
import { apnsResult, fcmResult } from '../../lambdas/push/push-results';

const ios: Target = { platform: 'ios', token: 'ab'.repeat(32), environment: 'production' };
const android: Target = { platform: 'android', token: 'fcm-token', environment: 'production' };
const now = 1_800_000_000;

/** A packet whose JSON has exactly `bytes` bytes. */
function packetOfSize(bytes: number) {
  const base = { toDownload: [], outgoing: [], asOf: '2026-12-01T00:00:00.000Z', pad: '' };
  return { ...base, pad: 'x'.repeat(bytes - Buffer.byteLength(JSON.stringify(base))) };
}

/** The largest packet whose push still fits, found by walking the boundary. */
function largestFitting(target: Target): number {
  let size = 200;
  while ('packet' in JSON.parse(pushBody(packetPush(target, 'com.example', packetOfSize(size + 1), now)))) size++;
  return size;
}
const pushBody = (push: ReturnType<typeof packetPush>) => (push.platform === 'ios' ? push.body : JSON.stringify(push.message.data));

describe('packet pushes', () => {
  it.each([ios, android])('carry the packet up to the last byte that fits, then pollInbox ($platform)', (target) => {
    const limit = largestFitting(target);
    const fits = packetPush(target, 'com.example', packetOfSize(limit), now);
    const over = packetPush(target, 'com.example', packetOfSize(limit + 1), now);
    expect(payloadBytes(fits)).toBeLessThanOrEqual(MAX_PUSH_PAYLOAD_BYTES);
    expect(payloadBytes(fits)).toBeGreaterThan(MAX_PUSH_PAYLOAD_BYTES - 3);
    expect(JSON.parse(pushBody(fits))).toHaveProperty('packet');
    expect(JSON.parse(pushBody(over))).not.toHaveProperty('packet');
    expect(JSON.parse(pushBody(over)).pollInbox).toBeTruthy();
  });

  it('counts escapes: a packet of quotes fits fewer bytes on FCM, where it travels as a JSON string', () => {
    const quoted = { toDownload: [], outgoing: [], asOf: 'x', pad: '"'.repeat(2500) };
    expect(payloadBytes(packetPush(ios, 't', quoted, now))).toBeLessThan(4096);
    expect(packetPush(android, 't', quoted, now)).toMatchObject({ message: { data: { pollInbox: 'true' } } });
  });

  it('are background pushes: priority 5, content-available only, collapse id inbox, a day to live', () => {
    const push = packetPush(ios, 'com.example', packetOfSize(300), now);
    expect(push).toMatchObject({
      headers: { 'apns-push-type': 'background', 'apns-priority': '5', 'apns-topic': 'com.example', 'apns-collapse-id': 'inbox', 'apns-expiration': String(now + 86_400) },
    });
    expect(JSON.parse((push as { body: string }).body).aps).toEqual({ 'content-available': 1 });
    expect(packetPush(android, 'com.example', packetOfSize(300), now)).toMatchObject({ message: { android: { priority: 'normal', collapse_key: 'inbox', ttl: '86400s' } } });
  });

  it('a hint names the feed head, collapse id sync', () => {
    expect(JSON.parse((hintPush(ios, 't', 42, now) as { body: string }).body)).toEqual({ aps: { 'content-available': 1 }, sync: { seq: 42 } });
    expect(hintPush(android, 't', 42, now)).toMatchObject({ message: { data: { sync: '42' }, android: { collapse_key: 'sync' } } });
  });
});

describe('push service answers', () => {
  it.each([
    [200, undefined, 'sent'],
    [410, 'Unregistered', 'gone'],
    [400, 'BadDeviceToken', 'gone'],
    [400, 'DeviceTokenNotForTopic', 'gone'],
    [400, 'BadCollapseId', 'dropped'],
    [413, 'PayloadTooLarge', 'dropped'],
    [403, 'InvalidProviderToken', 'refused'],
    [403, 'ExpiredProviderToken', 'refused'],
    [429, 'TooManyProviderTokenUpdates', 'refused'],
    [429, 'TooManyRequests', 'retry'],
    [500, 'InternalServerError', 'retry'],
    [503, 'ServiceUnavailable', 'retry'],
  ] as const)('APNs %i %s: %s', (status, reason, kind) => {
    expect(apnsResult(status, reason).kind).toBe(kind);
  });

  const fcmError = (status: string, errorCode?: string, field?: string) => ({
    error: {
      status,
      details: [
        ...(errorCode ? [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode }] : []),
        ...(field ? [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field }] }] : []),
      ],
    },
  });
  it.each([
    [200, {}, 'sent'],
    [404, fcmError('NOT_FOUND', 'UNREGISTERED'), 'gone'],
    [400, fcmError('INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'message.token'), 'gone'],
    [400, fcmError('INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'message.data'), 'dropped'],
    [403, fcmError('PERMISSION_DENIED', 'SENDER_ID_MISMATCH'), 'gone'],
    [401, fcmError('UNAUTHENTICATED', 'THIRD_PARTY_AUTH_ERROR'), 'refused'],
    [403, fcmError('PERMISSION_DENIED'), 'refused'],
    [429, fcmError('RESOURCE_EXHAUSTED', 'QUOTA_EXCEEDED'), 'retry'],
    [503, fcmError('UNAVAILABLE', 'UNAVAILABLE'), 'retry'],
  ] as const)('FCM %i %j: %s', (status, answer, kind) => {
    expect(fcmResult(status, answer).kind).toBe(kind);
  });
});
