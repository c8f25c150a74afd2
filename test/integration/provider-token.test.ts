import { randomBytes } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { stateFiles } from '../../local/paths';
import { loadOrCreatePushCredentials } from '../../local/push-credentials';
import { inject } from 'vitest';
import { pointHandlersAtLocalStack } from '../support/handler-env';

pointHandlersAtLocalStack();
const local = await loadOrCreatePushCredentials(stateFiles(inject('stateDir')).pushCredentials);
// A key id of this test's own, so its tokens live in an item no other sender uses.
const apns = { ...local.apns, keyId: randomBytes(5).toString('hex').toUpperCase() };

/** A provider token from a sender instance of its own (fresh module state, like a new execution environment). */
async function freshInstance() {
  vi.resetModules();
  return (await import('../../lambdas/push/provider-token')).providerToken;
}

describe('the APNs provider token', () => {
  it('is signed once and shared by every instance through the table, then renewed once after 50 minutes', async () => {
    const t0 = Math.floor(Date.now() / 1000);
    const first = await (await freshInstance())(apns, t0);
    expect(decodeProtectedHeader(first)).toMatchObject({ alg: 'ES256', kid: apns.keyId });
    expect(decodeJwt(first)).toEqual({ iss: apns.teamId, iat: t0 });

    // Other instances, up to 50 minutes on, take the stored one instead of signing their own.
    const others = await Promise.all([freshInstance(), freshInstance()]);
    expect(await others[0]?.(apns, t0 + 49 * 60)).toBe(first);
    const sameInstance = await freshInstance();
    expect(await sameInstance(apns, t0 + 10)).toBe(first);

    // Past 50 minutes, instances racing to renew end with one new token between them.
    const racers = await Promise.all(Array.from({ length: 4 }, () => freshInstance()));
    const renewed = await Promise.all(racers.map((providerToken) => providerToken(apns, t0 + 51 * 60)));
    const distinct = new Set(renewed);
    expect(distinct.size).toBe(1);
    expect(distinct.has(first)).toBe(false);
    expect(await (await freshInstance())(apns, t0 + 52 * 60)).toBe(renewed[0]);
  });
});
