import { repeatEvery } from './repeat.js';
import type { OutboxRelay, RelayRunResult } from '../app/outbox/relay.js';
import type { Clock } from '../domain/time/clock.js';

/** Pause between relay runs when nothing nudges it. */
export const DEFAULT_OUTBOX_RELAY_INTERVAL_MS = 1_000;
/** Pause between prunes of delivered messages. */
export const DEFAULT_OUTBOX_PRUNE_INTERVAL_MS = 3_600_000;

export interface OutboxRelayRun extends RelayRunResult {
  /** Messages deleted by retention in this run (when it pruned). */
  pruned?: number;
}

export interface OutboxRelayJob {
  /** One run now, after any run in progress (tests, and the CLI). */
  runOnce(): Promise<OutboxRelayRun>;
  /**
   * Asks for a run as soon as possible, e.g. right after a use case committed messages, instead of
   * at the next interval. Cheap to call often: nudges that arrive before a run starts share it.
   * Ignored while the job is not started.
   */
  nudge(): void;
  start(): void;
  /** Stops the timer, waits for the run in progress, gives up this replica's leases. */
  stop(): Promise<void>;
}

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

/**
 * Runs the outbox relay in-process (DESIGN.md §4 `jobs/`): every `intervalMs` after the previous
 * run ended, and at once when nudged. Runs never overlap. Prunes at most once per
 * `pruneIntervalMs` of the injected clock. Failures of consumers and of the relay itself go to
 * `onError` and do not stop the job: the next run continues from the stored cursors.
 */
export function createOutboxRelayJob(o: {
  relay: Pick<OutboxRelay, 'runOnce' | 'prune' | 'close'>;
  clock: Clock;
  intervalMs: number;
  pruneIntervalMs?: number;
  onError?: (err: Error, consumer?: string) => void;
}): OutboxRelayJob {
  const pruneIntervalMs = o.pruneIntervalMs ?? DEFAULT_OUTBOX_PRUNE_INTERVAL_MS;
  const report = (err: Error, consumer?: string) => o.onError?.(err, consumer);
  let lastPrune = -Infinity;
  let started = false;

  async function pass(): Promise<OutboxRelayRun> {
    const result: OutboxRelayRun = await o.relay.runOnce();
    if (result.sequenceError) report(result.sequenceError);
    for (const c of result.consumers) {
      for (const f of c.failures)
        report(
          new Error(`outbox message ${f.seq} (${f.type}), attempt ${f.attempt}: ${f.error}`),
          c.consumer,
        );
      if (c.error) report(c.error, c.consumer);
    }
    const now = o.clock.now();
    if (now - lastPrune >= pruneIntervalMs) {
      lastPrune = now;
      result.pruned = await o.relay.prune().catch((e: unknown) => {
        report(asError(e));
        return 0;
      });
    }
    return result;
  }

  // A chain of runs: each starts when the one before it ended. A request made before the queued
  // run has started is served by that run (it reads everything committed before it starts).
  let tail: Promise<unknown> = Promise.resolve();
  let queued: Promise<OutboxRelayRun> | undefined;
  function request(): Promise<OutboxRelayRun> {
    if (queued) return queued;
    const run = tail.then(() => {
      queued = undefined;
      return pass();
    });
    queued = run;
    tail = run.catch(() => undefined);
    return run;
  }

  const job = repeatEvery(o.intervalMs, request, (e) => report(asError(e)));
  return {
    runOnce: request,
    nudge() {
      if (started) request().catch((e: unknown) => report(asError(e)));
    },
    start() {
      started = true;
      job.start();
    },
    async stop() {
      started = false;
      await job.stop();
      await tail;
      await o.relay.close();
    },
  };
}
