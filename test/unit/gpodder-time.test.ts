import { describe, expect, it } from 'vitest';
import { formatActionTime, parseActionTime, windowStartMs } from '../../lambdas/gpodder/gpodder-time';

const now = Date.parse('2026-06-01T12:00:00Z');

describe('gpodder times', () => {
  it('reads the ISO forms apps send (no zone is UTC), epoch seconds, and nothing else; whole seconds', () => {
    expect(parseActionTime('2026-01-01T10:00:00', now)).toBe(Date.parse('2026-01-01T10:00:00Z'));
    expect(parseActionTime('2026-01-01T10:00:00.789Z', now)).toBe(Date.parse('2026-01-01T10:00:00Z'));
    expect(parseActionTime('2026-01-01T12:00:00+02:00', now)).toBe(Date.parse('2026-01-01T10:00:00Z'));
    expect(parseActionTime('2026-01-01T05:00:00-0500', now)).toBe(Date.parse('2026-01-01T10:00:00Z'));
    expect(parseActionTime('2026-01-01 10:00:00', now)).toBe(Date.parse('2026-01-01T10:00:00Z'));
    expect(parseActionTime(1767261600, now)).toBe(Date.parse('2026-01-01T10:00:00Z'));
    for (const bad of ['yesterday', '2026-13-01T10:00:00', '', -5, null, {}]) expect(parseActionTime(bad, now), String(bad)).toBeUndefined();
  });

  it('counts a time ahead of the server clock as now', () => {
    expect(parseActionTime('2099-01-01T00:00:00', now)).toBe(now);
  });

  it('writes exactly YYYY-MM-DDTHH:MM:SS, which every client parses', () => {
    expect(formatActionTime(Date.parse('2026-01-01T10:00:00.789Z'))).toBe('2026-01-01T10:00:00');
  });

  it('starts every since window a minute early; 0 is everything', () => {
    expect(windowStartMs(0)).toBe(0);
    expect(windowStartMs(1_000_000)).toBe((1_000_000 - 60) * 1000);
  });
});
