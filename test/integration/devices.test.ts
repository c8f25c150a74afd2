import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { call, newUserId, tokenFor } from '../support/api';

const iosToken = () => randomBytes(32).toString('hex');
const androidToken = () => `fcm-${randomBytes(60).toString('base64url')}`;

interface Device {
  deviceId: string;
  platform: string;
  environment: string;
  registeredAt: string;
  updatedAt: string;
  expiresAt: string;
}

async function devicesOf(token: string): Promise<Device[]> {
  const response = await call('GET', '/v1/devices', { token });
  expect(response.status).toBe(200);
  return response.json as Device[];
}

describe('devices', () => {
  it('registers idempotently, renews 60 days, lists without tokens and removes', async () => {
    const token = await tokenFor(newUserId('devices'));
    const push = iosToken();
    const first = await call('PUT', '/v1/devices/iphone', { token, body: { platform: 'ios', token: push.toUpperCase(), environment: 'sandbox' } });
    expect(first.status).toBe(200);
    const device = first.json as Device;
    expect(device).toMatchObject({ deviceId: 'iphone', platform: 'ios', environment: 'sandbox' });
    expect(Date.parse(device.expiresAt) - Date.parse(device.updatedAt)).toBeGreaterThanOrEqual(60 * 24 * 3600 * 1000 - 1000);
    expect(first.text).not.toContain(push);

    const again = await call('PUT', '/v1/devices/iphone', { token, body: { platform: 'ios', token: push, environment: 'sandbox' } });
    expect(again.status).toBe(200);
    expect((again.json as Device).registeredAt).toBe(device.registeredAt);
    const android = await call('PUT', '/v1/devices/pixel', { token, body: { platform: 'android', token: androidToken() } });
    expect((android.json as Device).environment).toBe('production');

    const listed = await call('GET', '/v1/devices', { token });
    expect((listed.json as Device[]).map((d) => d.deviceId)).toEqual(['iphone', 'pixel']);
    expect(listed.text).not.toContain(push);

    expect((await call('DELETE', '/v1/devices/iphone', { token })).status).toBe(200);
    expect((await call('DELETE', '/v1/devices/iphone', { token })).status).toBe(200);
    expect((await devicesOf(token)).map((d) => d.deviceId)).toEqual(['pixel']);
  });

  it('allows ten devices a user; the eleventh is 409 and writes nothing, and a known one still registers', async () => {
    const token = await tokenFor(newUserId('many'));
    for (let i = 0; i < 10; i++) expect((await call('PUT', `/v1/devices/d${i}`, { token, body: { platform: 'android', token: androidToken() } })).status).toBe(200);
    const refused = await call('PUT', '/v1/devices/d10', { token, body: { platform: 'android', token: androidToken() } });
    expect(refused.status).toBe(409);
    expect((refused.json as { type: string }).type).toBe('urn:playhead:problem:device-limit-reached');
    expect(await devicesOf(token)).toHaveLength(10);
    expect((await call('PUT', '/v1/devices/d3', { token, body: { platform: 'android', token: androidToken() } })).status).toBe(200);
    await call('DELETE', '/v1/devices/d0', { token });
    const reinstalled = androidToken();
    expect((await call('PUT', '/v1/devices/d10', { token, body: { platform: 'android', token: reinstalled } })).status).toBe(200);
    // At the limit, an app reinstalled under a new device id takes its token over: the old device goes, nothing is refused.
    expect((await call('PUT', '/v1/devices/d11', { token, body: { platform: 'android', token: reinstalled } })).status).toBe(200);
    const ids = (await devicesOf(token)).map((d) => d.deviceId);
    expect(ids).toHaveLength(10);
    expect(ids).toContain('d11');
    expect(ids).not.toContain('d10');
  });

  it('keeps the limit under concurrent registrations', async () => {
    const token = await tokenFor(newUserId('race'));
    const answers = await Promise.all(Array.from({ length: 14 }, (_, i) => call('PUT', `/v1/devices/r${i}`, { token, body: { platform: 'android', token: androidToken() } })));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(10);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(4);
    expect(await devicesOf(token)).toHaveLength(10);
  });

  it('moves a token to the user who registers it last, in one step', async () => {
    const alice = await tokenFor(newUserId('alice'));
    const bob = await tokenFor(newUserId('bob'));
    const push = iosToken();
    await call('PUT', '/v1/devices/phone', { token: alice, body: { platform: 'ios', token: push } });
    await call('PUT', '/v1/devices/handed-over', { token: bob, body: { platform: 'ios', token: push } });
    expect(await devicesOf(alice)).toEqual([]);
    expect((await devicesOf(bob)).map((d) => d.deviceId)).toEqual(['handed-over']);
    // The same token under a new device id of the same user (an app reinstalled) replaces the old device.
    await call('PUT', '/v1/devices/reinstalled', { token: bob, body: { platform: 'ios', token: push } });
    expect((await devicesOf(bob)).map((d) => d.deviceId)).toEqual(['reinstalled']);
    // A device that changes its token gives up the old one: it can be registered elsewhere without touching this device.
    await call('PUT', '/v1/devices/reinstalled', { token: bob, body: { platform: 'ios', token: iosToken() } });
    await call('PUT', '/v1/devices/phone', { token: alice, body: { platform: 'ios', token: push } });
    expect((await devicesOf(bob)).map((d) => d.deviceId)).toEqual(['reinstalled']);
    expect((await devicesOf(alice)).map((d) => d.deviceId)).toEqual(['phone']);
  });

  it("never reaches another user's device with the same id", async () => {
    const alice = await tokenFor(newUserId('alice'));
    const mallory = await tokenFor(newUserId('mallory'));
    await call('PUT', '/v1/devices/phone', { token: alice, body: { platform: 'android', token: androidToken() } });
    expect((await call('DELETE', '/v1/devices/phone', { token: mallory })).status).toBe(200);
    expect(await devicesOf(mallory)).toEqual([]);
    expect((await devicesOf(alice)).map((d) => d.deviceId)).toEqual(['phone']);
    await call('PUT', '/v1/devices/phone', { token: mallory, body: { platform: 'android', token: androidToken() } });
    expect(await devicesOf(alice)).toHaveLength(1);
    expect(await devicesOf(mallory)).toHaveLength(1);
  });

  const badBodies: [string, unknown, string][] = [
    ['an unknown platform', { platform: 'windows', token: androidToken() }, 'body.platform'],
    ['no platform', { token: androidToken() }, 'body.platform'],
    ['a number token', { platform: 'android', token: 42 }, 'body.token'],
    ['an iOS token that is not hex', { platform: 'ios', token: 'z'.repeat(64) }, 'body.token'],
    ['an iOS token too short', { platform: 'ios', token: 'ab'.repeat(16) }, 'body.token'],
    ['an iOS token of odd length', { platform: 'ios', token: 'a'.repeat(65) }, 'body.token'],
    ['an Android token with spaces', { platform: 'android', token: `${'a'.repeat(40)} b` }, 'body.token'],
    ['an Android token with a newline', { platform: 'android', token: `${'a'.repeat(40)}\n` }, 'body.token'],
    ['an Android token too long', { platform: 'android', token: 'a'.repeat(1025) }, 'body.token'],
    ['an unknown environment', { platform: 'ios', token: iosToken(), environment: 'staging' }, 'body.environment'],
    ['an environment on Android', { platform: 'android', token: androidToken(), environment: 'sandbox' }, 'body.environment'],
    ['an unknown field', { platform: 'android', token: androidToken(), badge: 1 }, 'body.badge'],
  ];
  it.each(badBodies)('refuses %s with a problem naming the field, and writes nothing', async (_label, body, field) => {
    const token = await tokenFor(newUserId('bad'));
    const response = await call('PUT', '/v1/devices/phone', { token, body });
    expect(response.status).toBe(400);
    expect(response.contentType).toBe('application/problem+json');
    expect((response.json as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain(field);
    expect(await devicesOf(token)).toEqual([]);
  });

  it.each(['a b', 'x'.repeat(129), 'é', '..%2F'])('refuses the device id %j', async (deviceId) => {
    const token = await tokenFor(newUserId('bad'));
    const response = await call('PUT', `/v1/devices/${encodeURIComponent(deviceId)}`, { token, body: { platform: 'android', token: androidToken() } });
    expect(response.status).toBe(400);
    expect((response.json as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain('path.deviceId');
    expect((await call('DELETE', `/v1/devices/${encodeURIComponent(deviceId)}`, { token })).status).toBe(400);
    expect(await devicesOf(token)).toEqual([]);
  });

  it('refuses missing and forged credentials', async () => {
    expect((await call('GET', '/v1/devices')).status).toBe(401);
    expect((await call('PUT', '/v1/devices/phone', { body: { platform: 'android', token: androidToken() } })).status).toBe(401);
    expect((await call('DELETE', '/v1/devices/phone', { token: 'not.a.jwt' })).status).toBe(401);
  });
});
