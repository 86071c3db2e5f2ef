import { repeatEvery } from './repeat.js';
import type { makeExpiryRecorder } from '../app/pim/expiry.js';
import type { Clock } from '../domain/time/clock.js';

/** Most schedules one transaction records; keeps each transaction (and its audit appends) short. */
export const DEFAULT_EXPIRY_BATCH = 500;

/** Pause between sweeps when the composition root does not say otherwise. */
export const DEFAULT_EXPIRY_SWEEP_INTERVAL_MS = 1000;

/** Most batches one run records before yielding to the next tick. */
const MAX_BATCHES_PER_RUN = 100;

export interface ExpirySweeperOptions {
  recorder: ReturnType<typeof makeExpiryRecorder>;
  clock: Clock;
  /** Pause between runs. */
  intervalMs: number;
  batchSize?: number;
  /** Where a failed run is reported; the sweeper keeps going (the next run picks the work up). */
  onError?: (err: unknown) => void;
}

export interface ExpirySweeper {
  /**
   * Records every expiry due at `now` (the clock's, read once, if not given), batch by batch;
   * returns how many it recorded. Safe to run concurrently with itself and other replicas.
   */
  runOnce(now?: number): Promise<number>;
  /** Starts running every `intervalMs`; idempotent. */
  start(): void;
  /** Stops the interval and waits for a run in progress to finish. */
  stop(): Promise<void>;
}

/**
 * The in-process expiry sweeper (DESIGN.md §4 `jobs/`): on an interval, records the schedules
 * whose window has ended (status, audit). It decides nothing — reads already stopped returning them
 * at `end` — so running late, twice, or on several replicas changes only when history is written.
 */
export function createExpirySweeper(o: ExpirySweeperOptions): ExpirySweeper {
  const batchSize = o.batchSize ?? DEFAULT_EXPIRY_BATCH;
  async function runOnce(now = o.clock.now()): Promise<number> {
    let total = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch += 1) {
      const recorded = await o.recorder.recordBatch(now, batchSize);
      total += recorded;
      if (recorded < batchSize) break;
    }
    return total;
  }

  const job = repeatEvery(
    o.intervalMs,
    () => runOnce(),
    (err) => o.onError?.(err),
  );
  return { runOnce, start: job.start, stop: job.stop };
}
