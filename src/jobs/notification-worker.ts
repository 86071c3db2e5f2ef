import type { DeliveryRunResult, DeliveryWorker } from '../app/notifications/worker.js';
import type { DeliveryWorkerStore } from '../app/notifications/ports.js';
import type { Clock } from '../domain/time/clock.js';
import { repeatEvery } from './repeat.js';

/** Pause between worker runs when nothing nudges it. */
export const DEFAULT_NOTIFICATION_WORKER_INTERVAL_MS = 1_000;
/** How long sent deliveries stay in the log. */
export const DEFAULT_SENT_RETENTION_MS = 30 * 24 * 3_600_000;
const PRUNE_INTERVAL_MS = 3_600_000;

export interface NotificationWorkerJob {
  /** One run now, after any run in progress (tests drive it). */
  runOnce(): Promise<DeliveryRunResult>;
  /** Asks for a run as soon as possible (a fan-out or a retry wrote deliveries). Ignored until started. */
  nudge(): void;
  start(): void;
  /** Stops the timer and waits for the run in progress. */
  stop(): Promise<void>;
}

/**
 * Runs the delivery worker in-process: every `intervalMs` after the previous run ended, and at once
 * when nudged; runs never overlap. Deletes sent deliveries past their retention at most hourly
 * (dead ones stay until an operator retries them). Errors go to `onError`; the next run continues.
 */
export function createNotificationWorkerJob(o: {
  worker: DeliveryWorker;
  store: Pick<DeliveryWorkerStore, 'prune'>;
  clock: Clock;
  intervalMs: number;
  sentRetentionMs?: number;
  onError?: (err: Error) => void;
}): NotificationWorkerJob {
  const report = (e: unknown) => o.onError?.(e instanceof Error ? e : new Error(String(e)));
  const retention = o.sentRetentionMs ?? DEFAULT_SENT_RETENTION_MS;
  let lastPrune = -Infinity;
  let started = false;

  async function pass(): Promise<DeliveryRunResult> {
    const result = await o.worker.runOnce();
    for (const f of result.errors)
      report(new Error(`notification delivery ${f.id} (${f.channel}): ${f.error}`));
    const now = o.clock.now();
    if (now - lastPrune >= PRUNE_INTERVAL_MS) {
      lastPrune = now;
      await o.store.prune(now - retention, 1_000).catch(report);
    }
    return result;
  }

  let tail: Promise<unknown> = Promise.resolve();
  let queued: Promise<DeliveryRunResult> | undefined;
  function request(): Promise<DeliveryRunResult> {
    if (queued) return queued;
    const run = tail.then(() => {
      queued = undefined;
      return pass();
    });
    queued = run;
    tail = run.catch(() => undefined);
    return run;
  }

  const job = repeatEvery(o.intervalMs, request, report);
  return {
    runOnce: request,
    nudge() {
      if (started) request().catch(report);
    },
    start() {
      started = true;
      job.start();
    },
    async stop() {
      started = false;
      await job.stop();
      await tail;
    },
  };
}
