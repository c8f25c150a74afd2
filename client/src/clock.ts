/** Time as the client sees it; replaceable so tests and the bench can run minutes in moments. */
export interface Clock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** A clock that moves only when told: for tests and measurements of time-driven behaviour. */
export interface ManualClock extends Clock {
  /** Moves time forward, running each timer that falls due, in order. */
  advance(ms: number): Promise<void>;
}

export function manualClock(start = 0): ManualClock {
  let current = start;
  let nextId = 1;
  const timers = new Map<number, { at: number; run: () => void }>();
  const setTimer = (run: () => void, ms: number): number => {
    const id = nextId++;
    timers.set(id, { at: current + Math.max(0, ms), run });
    return id;
  };
  // One turn of the real event loop, so that work a timer started can go on.
  const turn = () => new Promise<void>((resolve) => systemClock.setTimeout(resolve, 0));
  return {
    now: () => current,
    setTimeout: setTimer,
    clearTimeout: (handle) => {
      timers.delete(handle as number);
    },
    sleep: (ms) => new Promise((resolve) => setTimer(resolve, ms)),
    async advance(ms) {
      const end = current + ms;
      for (;;) {
        let next: [number, { at: number; run: () => void }] | undefined;
        for (const entry of timers) if (entry[1].at <= end && (next === undefined || entry[1].at < next[1].at)) next = entry;
        if (next === undefined) break;
        timers.delete(next[0]);
        current = Math.max(current, next[1].at);
        next[1].run();
        await turn();
      }
      current = end;
    },
  };
}
