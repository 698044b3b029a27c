export interface PeriodicOptions {
  everyMs: number;
  /** Delay of the first round; default `everyMs`. 0 runs it at once. */
  firstAfterMs?: number;
  onError(error: unknown): void;
}

export interface Periodic {
  /** Stops the timer and waits for a running round to end. */
  stop(): Promise<void>;
}

/**
 * Background work on a timer that never overlaps itself: a round still running when the next is
 * due makes that one skip. Timers are unref'd, so they never keep the process alive.
 */
export function runPeriodically(work: () => Promise<void>, options: PeriodicOptions): Periodic {
  let running: Promise<void> | undefined;
  let stopped = false;
  const round = (): Promise<void> => {
    if (running) return running;
    if (stopped) return Promise.resolve();
    running = work()
      .catch(options.onError)
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  let timer: NodeJS.Timeout | undefined;
  const first = setTimeout(() => {
    void round();
    timer = setInterval(() => void round(), options.everyMs);
    timer.unref();
  }, options.firstAfterMs ?? options.everyMs);
  first.unref();
  return {
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
