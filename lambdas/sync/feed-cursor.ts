import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { FEED_CURSOR_SECRET_ENV } from '../../lib/queue-definitions';
import { requireEnv } from '../shared/config';
import { HttpProblem } from '../shared/problem';

/** Signs feed cursors, so a forged cursor or another user's is recognised. */
const secret = requireEnv(FEED_CURSOR_SECRET_ENV);

/**
 * A position in a user's feed: everything up to `seq` has been handed out. `issuedAt` tells
 * whether the feed still holds every change since (the retention window); `snapshotAfter` is
 * set while a device without a cursor is still reading the snapshot of current items.
 */
export interface FeedPosition {
  seq: number;
  /** The slot of the entry numbered `seq`, when it differs (an entry rewritten in place; feed-entry.ts). */
  slot?: number | undefined;
  issuedAt: number;
  snapshotAfter?: string;
}

const payloadSchema = z.strictObject({ s: z.number().int().nonnegative(), p: z.number().int().nonnegative().optional(), t: z.number().int().positive(), k: z.string().optional() });

/**
 * The signed text must tell where the user id ends: joined by a separator, the user
 * "a\nICAg" and payload "P" signed the same text as user "a" and payload "ICAg\nP". A JSON
 * array is unambiguous, and JSON.stringify escapes lone surrogates, which UTF-8 would not
 * keep apart. Changing this invalidated every cursor issued before (docs/SYNC.md, Cursors).
 */
const mac = (userId: string, payload: string): string =>
  createHmac('sha256', secret).update(JSON.stringify([userId, payload])).digest().subarray(0, 16).toString('base64url');

export function encodeFeedCursor(userId: string, position: FeedPosition): string {
  const payload = Buffer.from(
    JSON.stringify({
      s: position.seq,
      ...(position.slot !== undefined && position.slot !== position.seq ? { p: position.slot } : {}),
      t: position.issuedAt,
      ...(position.snapshotAfter !== undefined ? { k: position.snapshotAfter } : {}),
    }),
  ).toString('base64url');
  return `${payload}.${mac(userId, payload)}`;
}

export function decodeFeedCursor(userId: string, cursor: string, field = 'query.since'): FeedPosition {
  const [payload = '', signature = '', ...rest] = cursor.split('.');
  const expected = mac(userId, payload);
  // The shape check first: timingSafeEqual needs equal byte lengths, and non-ASCII text could pass a character count.
  // The payload too: the base64url decoder skips characters it does not know instead of refusing them.
  const valid =
    rest.length === 0 &&
    /^[A-Za-z0-9_-]+$/.test(payload) &&
    /^[A-Za-z0-9_-]{22}$/.test(signature) &&
    timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
  if (valid) {
    try {
      const parsed = payloadSchema.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
      if (parsed.p !== undefined && parsed.p > parsed.s) throw new Error('a slot is never past its number');
      return { seq: parsed.s, ...(parsed.p !== undefined ? { slot: parsed.p } : {}), issuedAt: parsed.t, ...(parsed.k !== undefined ? { snapshotAfter: parsed.k } : {}) };
    } catch {
      // a signed payload we cannot read is as bad as a forged one
    }
  }
  throw new HttpProblem('validation-failed', 'The cursor was not issued to this user by this API.', {
    errors: [{ field, message: 'is not a valid cursor' }],
  });
}
