import * as z from 'zod';

/**
 * gpodder's path segments. API Gateway takes only whole segments as parameters, so a route
 * says `{userFile}` and the format suffix (`alice.json`) is split off here; a format the route
 * does not serve is an unknown route, as on gpodder.net.
 */

/** gpodder.net's own pattern for usernames and device ids (`[\w.+-]`), with a length limit. */
const NAME = /^[A-Za-z0-9_.+-]{1,128}$/;
export const DEVICE_ID = /^[A-Za-z0-9_.-]{1,128}$/;

export type GpodderFormat = 'json' | 'opml' | 'txt';

export interface SplitSegment {
  name: string;
  format: GpodderFormat;
}

/** `alice.json` → `{ name: 'alice', format: 'json' }`; undefined when the suffix is not one of `formats`. */
export function splitFormat(segment: string, formats: readonly GpodderFormat[]): SplitSegment | undefined {
  const dot = segment.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const format = segment.slice(dot + 1).toLowerCase() as GpodderFormat;
  if (!formats.includes(format)) return undefined;
  return { name: segment.slice(0, dot), format };
}

export const usernameSchema = z.string().regex(NAME, 'must be a gpodder username');
export const deviceIdSchema = z.string().regex(DEVICE_ID, 'must be a device id of letters, digits, dots, dashes and underscores');
