import { randomBytes } from 'node:crypto';
import type { DeliveredPush, ScriptedAnswer } from '../../local/push-fakes';
import { call, endpoints } from './api';

/** Push helpers: device tokens, registration, and what the local APNs and FCM fakes accepted. */
export const iosToken = () => randomBytes(32).toString('hex');
export const androidToken = () => `fcm-${randomBytes(60).toString('base64url')}`;

export async function register(token: string, deviceId: string, platform: 'ios' | 'android', pushToken: string): Promise<void> {
  const response = await call('PUT', `/v1/devices/${deviceId}`, { token, body: { platform, token: pushToken } });
  if (response.status !== 200) throw new Error(`registration failed: ${response.status} ${response.text}`);
}

export async function deliveredPushes(): Promise<DeliveredPush[]> {
  const answer = (await (await fetch(`${endpoints.push.control}/pushes?after=0`)).json()) as { pushes: DeliveredPush[] };
  return answer.pushes;
}

/** Pushes accepted for these device tokens, in order. */
export async function pushesTo(...tokens: string[]): Promise<DeliveredPush[]> {
  return (await deliveredPushes()).filter((push) => tokens.includes(push.token));
}

/** Waits until `match` holds for the pushes to a token, then for a quiet period in which no more arrive. */
export async function waitForPushes(token: string, match: (pushes: DeliveredPush[]) => boolean, options: { timeoutMs?: number; quietMs?: number } = {}): Promise<DeliveredPush[]> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  let pushes = await pushesTo(token);
  while (!match(pushes) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    pushes = await pushesTo(token);
  }
  await new Promise((resolve) => setTimeout(resolve, options.quietMs ?? 1500));
  return pushesTo(token);
}

export async function script(token: string, answer: ScriptedAnswer): Promise<void> {
  await fetch(`${endpoints.push.control}/tokens/${encodeURIComponent(token)}`, { method: 'PUT', body: JSON.stringify(answer) });
}

/** The info packet a push carries, whatever its platform. */
export function packetOfPush(push: DeliveredPush): unknown {
  if (push.platform === 'ios') return (push.payload as { packet?: unknown }).packet;
  const data = (push.payload as { data: Record<string, string> }).data;
  return data.packet === undefined ? undefined : JSON.parse(data.packet);
}

export function payloadBytes(push: DeliveredPush): number {
  if (push.platform === 'ios') return Buffer.byteLength(JSON.stringify(push.payload));
  return Object.entries((push.payload as { data: Record<string, string> }).data).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(value), 0);
}
