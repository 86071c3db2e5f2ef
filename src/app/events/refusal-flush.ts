import type { UnitOfWork } from '../ports.js';
import { flushRefusalWindows } from './event-log.js';
import type { RefusalWindows } from './refusal-windows.js';

/** How long identical refusals are summarised into one entry, by default. */
export const DEFAULT_REFUSAL_WINDOW_MS = 60_000;
/** How often ended refusal windows are looked for, by default: a summary is at most this late. */
export const DEFAULT_REFUSAL_FLUSH_INTERVAL_MS = 5_000;

/**
 * Writes the summaries of ended refusal windows periodically (never inside a use case), and all of
 * them on `stop({ flush: true })` at shutdown. Runs never overlap; a failed run keeps its counts for
 * the next one. The timer does not keep the process alive.
 */
export function scheduleRefusalFlush(
  uow: UnitOfWork,
  refusals: RefusalWindows,
  intervalMs: number,
  onError: (error: Error) => void,
): { flush(all?: boolean): Promise<number>; stop(): Promise<void> } {
  let running: Promise<number> = Promise.resolve(0);
  const flush = (all = false): Promise<number> => {
    running = running.catch(() => 0).then(() => flushRefusalWindows(uow, refusals, all));
    return running;
  };
  const timer =
    intervalMs > 0
      ? setInterval(() => {
          flush().catch((e: unknown) => onError(e instanceof Error ? e : new Error(String(e))));
        }, intervalMs)
      : undefined;
  timer?.unref();
  return {
    flush,
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      await flush(true);
    },
  };
}
