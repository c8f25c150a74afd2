import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { pushEnv } from '../../lib/push-definitions';
import { HINT_FLUSHES_QUEUE_URL_ENV } from '../../lib/queue-definitions';
import type { DeviceItem } from '../devices/device-item';
import { claimHint, claimTrailingHint, devicesOf, notePendingHint, releaseHint } from '../devices/device-store';
import type { ChangeNotice } from '../events/change-notices';
import type { HintFlush } from '../events/hint-flushes';
import { mapConcurrently } from '../shared/concurrency';
import { optionalEnv, requireEnv } from '../shared/config';
import { sqsClient } from '../shared/sqs';
import { deliver, type Tally } from './push-delivery';
import type { PushCredentials } from './push-credentials';
import { hintPush } from './push-payloads';

/**
 * Types that never wake a device: progress changes every few seconds while a title plays, and
 * message slots already reach the device as the info packet's own push.
 */
export const UNHINTED_TYPES: ReadonlySet<string> = new Set(['progress', 'message-in', 'message-out']);

/**
 * At most one hint per device in this window (Apple: "two or three [background pushes] per
 * hour"), plus one trailing hint when the window ends if anything changed in it, so the last
 * change always reaches the device.
 */
export const hintWindowMs = Number(optionalEnv(pushEnv.hintWindowSeconds, '1200')) * 1000;
/** SQS delays a message 15 minutes at most; a longer wait is several hops. */
const MAX_DELAY_SECONDS = 900;
/** A trailing hint this late has lost its flush message; the next change schedules another. */
const STALE_FLUSH_MS = 5 * 60 * 1000;
const flushQueueUrl = requireEnv(HINT_FLUSHES_QUEUE_URL_ENV);

export const hintsWanted = (notice: ChangeNotice): boolean => notice.types.some((type) => !UNHINTED_TYPES.has(type));

async function scheduleFlush(userId: string, dueMs: number, nowMs: number): Promise<void> {
  const delay = Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil((dueMs - nowMs) / 1000)));
  const flush: HintFlush = { userId, flush: true };
  await sqsClient.send(new SendMessageCommand({ QueueUrl: flushQueueUrl, MessageBody: JSON.stringify(flush), DelaySeconds: delay }));
}

/**
 * A user's synced items changed: each device gets a hint now if its window allows, or is
 * marked for the trailing hint, and the first device to be marked schedules the flush.
 */
export async function hintChange(notice: ChangeNotice, credentials: PushCredentials, now: Date, tally: Tally): Promise<boolean> {
  if (!hintsWanted(notice)) return false;
  const { userId, seq } = notice;
  const nowMs = now.getTime();
  const nowSeconds = Math.floor(nowMs / 1000);
  const devices = await devicesOf(userId, nowMs);
  const dues: number[] = [];
  const again = await mapConcurrently(devices, 10, async (device: DeviceItem) => {
    if (await claimHint(userId, device, seq, nowMs, hintWindowMs)) {
      const push = hintPush(device, credentials.apns?.topic ?? '', seq, nowSeconds);
      return deliver(userId, device, push, credentials, nowSeconds, tally, () => releaseHint(userId, device, nowMs));
    }
    tally.skipped++;
    const due = await notePendingHint(userId, device, seq, nowMs, hintWindowMs, STALE_FLUSH_MS);
    if (due !== undefined) dues.push(due);
    return false;
  });
  if (dues.length > 0) await scheduleFlush(userId, Math.min(...dues), nowMs);
  return again.some(Boolean);
}

/** The trailing hints of a user's devices that came due; a flush that came early (the 15-minute cap) is sent on again. */
export async function flushHints(flush: HintFlush, credentials: PushCredentials, now: Date, tally: Tally): Promise<boolean> {
  const { userId } = flush;
  const nowMs = now.getTime();
  const nowSeconds = Math.floor(nowMs / 1000);
  const pending = (await devicesOf(userId, nowMs)).filter((device) => device.hintPending !== undefined && device.flushAt !== undefined);
  const later = pending.filter((device) => (device.flushAt as number) > nowMs);
  const again = await mapConcurrently(
    pending.filter((device) => (device.flushAt as number) <= nowMs),
    10,
    async (device: DeviceItem) => {
      if (!(await claimTrailingHint(userId, device, nowMs))) {
        tally.skipped++;
        return false;
      }
      const push = hintPush(device, credentials.apns?.topic ?? '', device.hintPending as number, nowSeconds);
      return deliver(userId, device, push, credentials, nowSeconds, tally, () => releaseHint(userId, device, nowMs));
    },
  );
  if (later.length > 0) await scheduleFlush(userId, Math.min(...later.map((device) => device.flushAt as number)), nowMs);
  return again.some(Boolean);
}
