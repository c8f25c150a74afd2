import type { Clock } from './clock';

export interface ProgressSenderOptions {
  clock: Clock;
  /** Least time between two sends for one title while playing (default 15 s). */
  intervalMs: number;
  /** Sends the latest position of one title; rejects when it did not get through. */
  send: (assetId: string) => Promise<void>;
}

/**
 * Playback positions change every second; the server needs them far less often. Each title
 * is sent at once when it has not been sent for `intervalMs`, else once when the interval is
 * up (with the latest position), and at once on `flush` (pause, stop, going to background).
 * Set every second for ten minutes, that is 41 requests instead of 600.
 */
export class ProgressSender {
  private readonly lastSent = new Map<string, number>();
  private readonly timers = new Map<string, unknown>();
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(private readonly options: ProgressSenderOptions) {}

  /** A new position was recorded locally for this title. */
  changed(assetId: string): void {
    if (this.timers.has(assetId)) return;
    const last = this.lastSent.get(assetId);
    const wait = last === undefined ? 0 : last + this.options.intervalMs - this.options.clock.now();
    if (wait <= 0) {
      void this.sendNow(assetId).catch(() => undefined);
      return;
    }
    this.timers.set(
      assetId,
      this.options.clock.setTimeout(() => {
        this.timers.delete(assetId);
        void this.sendNow(assetId).catch(() => undefined);
      }, wait),
    );
  }

  /** Sends what is waiting now: one title, or every title. */
  async flush(assetId?: string): Promise<void> {
    const ids = assetId === undefined ? [...this.timers.keys()] : [assetId];
    await Promise.all(
      ids.map((id) => {
        const timer = this.timers.get(id);
        if (timer !== undefined) this.options.clock.clearTimeout(timer);
        this.timers.delete(id);
        return this.sendNow(id);
      }),
    );
    await Promise.all([...this.inFlight.values()].map((p) => p.catch(() => undefined)));
  }

  /** Forgets a title (its progress was cleared). */
  cancel(assetId: string): void {
    const timer = this.timers.get(assetId);
    if (timer !== undefined) this.options.clock.clearTimeout(timer);
    this.timers.delete(assetId);
  }

  stop(): void {
    for (const timer of this.timers.values()) this.options.clock.clearTimeout(timer);
    this.timers.clear();
  }

  private async sendNow(assetId: string): Promise<void> {
    // One request per title at a time; a position recorded meanwhile goes with the next one.
    await this.inFlight.get(assetId)?.catch(() => undefined);
    this.lastSent.set(assetId, this.options.clock.now());
    const sending = this.options.send(assetId);
    this.inFlight.set(assetId, sending);
    try {
      await sending;
    } finally {
      if (this.inFlight.get(assetId) === sending) this.inFlight.delete(assetId);
    }
  }
}
