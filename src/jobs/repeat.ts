/** A background job that runs again a fixed pause after each run ends. */
export interface Repeating {
  start: () => void;
  /** Stops scheduling and waits for a run in flight. */
  stop: () => Promise<void>;
}

/**
 * Runs `work` every `intervalMs` after the previous run *ended*, so runs never overlap and a slow
 * run delays the next instead of piling up. Errors go to `onError` and do not stop the job. The
 * timer does not keep the process alive.
 */
export function repeatEvery(
  intervalMs: number,
  work: () => Promise<unknown>,
  onError: (e: unknown) => void,
): Repeating {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = true;

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = work()
        .catch(onError)
        .finally(() => {
          running = undefined;
          schedule();
        });
    }, intervalMs);
    timer.unref();
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
