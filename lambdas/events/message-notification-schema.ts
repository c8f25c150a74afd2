import * as z from 'zod';

/**
 * What the push sender accepts from the `notifications` queue (the shape is
 * `MessageNotification` in message-notifications.ts); the packet itself is passed on untouched.
 * A file of its own because a schema is built when its module loads, and the stream router,
 * which imports message-notifications.ts, has no bytes to spare for one it never uses.
 */
export const messageNotificationSchema = z.union([
  z.strictObject({
    userId: z.string(),
    packet: z.looseObject({ toDownload: z.array(z.unknown()), outgoing: z.array(z.unknown()), asOf: z.string() }),
  }),
  z.strictObject({ userId: z.string(), pollInbox: z.literal(true), asOf: z.string() }),
]);
