/**
 * Time as gpodder clients read it. `timestamp`/`since` are whole Unix seconds of the server's
 * clock (Kasts reads them as a 32-bit int, so never the change feed's sequence numbers), and
 * action timestamps are `YYYY-MM-DDTHH:MM:SS` in UTC with no zone: mygpoclient rejects
 * milliseconds with a `Z`, Kasts a trailing `Z`, and one bad action fails a whole download.
 */

/** Every `since` read starts this far back: writes still in flight during a read, Kasts' `timestamp + 1`, clocks of Lambda hosts a little apart. */
export const SINCE_OVERLAP_SECONDS = 60;

export const nowSeconds = (nowMs = Date.now()): number => Math.floor(nowMs / 1000);

/** The epoch ms from which a read with `since` reports changes (0: everything). */
export const windowStartMs = (since: number): number => (since <= 0 ? 0 : Math.max(0, since - SINCE_OVERLAP_SECONDS) * 1000);

export const formatActionTime = (epochMs: number): string => new Date(epochMs).toISOString().slice(0, 19);

const ACTION_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * An uploaded action's time in epoch ms: ISO 8601 with an optional fraction and `Z` or
 * `±hh:mm` (no zone is UTC, as gpodder.net reads it), or epoch seconds. Undefined when it
 * cannot be read. Times ahead of the server's clock count as now, so no client clock can make
 * its play win for ever.
 */
export function parseActionTime(value: unknown, nowMs: number): number | undefined {
  let ms: number | undefined;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) ms = value * 1000;
  else if (typeof value === 'string') {
    const match = ACTION_TIME.exec(value.trim());
    if (match) {
      const zone = match[8] ?? 'Z';
      const offset = zone.toUpperCase() === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
      const fraction = (match[7] ?? '').slice(0, 4);
      const parsed = Date.parse(`${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}${fraction}${offset}`);
      if (Number.isFinite(parsed)) ms = parsed;
    }
  }
  if (ms === undefined || ms < 0) return undefined;
  return Math.min(Math.floor(ms / 1000) * 1000, nowMs);
}
