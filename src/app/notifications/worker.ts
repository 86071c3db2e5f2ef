import {
  afterFailure,
  checkDeliveryRetry,
  DEFAULT_DELIVERY_RETRY,
  type DeliveryRetryPolicy,
} from '../../domain/notifications/delivery.js';
import type { ChannelKind } from '../../domain/notifications/event-types.js';
import type { Clock } from '../../domain/time/clock.js';
import type { UnitOfWork } from '../ports.js';
import { PermanentDeliveryError, type NotificationChannel, type SendContext } from './channel.js';
import type { ClaimedDelivery, DeliveryWorkerStore } from './ports.js';

/** Tunables of the delivery worker; every one has a default. */
export interface DeliveryWorkerOptions {
  retry?: Partial<DeliveryRetryPolicy>;
  /** How long a claim lasts; longer than any send may take (default 60 s). */
  leaseMs?: number;
  /** Deliveries claimed (and sent concurrently) at a time (default 16). */
  batchSize?: number;
  /** Most batches in one run, so a run stays short (default 50). */
  maxBatchesPerRun?: number;
  /** Random source of the retry jitter, in [0, 1) (default Math.random). */
  random?: () => number;
}

/** What one run did. */
export interface DeliveryRunResult {
  claimed: number;
  sent: number;
  /** Failed attempts that will be tried again. */
  failed: number;
  /** Deliveries that used their last attempt, or can never succeed. */
  dead: number;
  /** Deliveries whose lease another worker took over before the result was recorded. */
  lost: number;
  errors: { id: string; channel: ChannelKind; error: string }[];
}

/** Longest error text kept in the log. */
const MAX_ERROR_LENGTH = 1_000;
const describe = (e: unknown): string =>
  (e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e)).slice(
    0,
    MAX_ERROR_LENGTH,
  );

/**
 * The delivery worker: claims due deliveries (compare-and-set on a lease; on PostgreSQL the
 * candidates are picked with `SKIP LOCKED`, so replicas share the queue without sending one twice),
 * sends each outside any transaction through its channel, and records the outcome: `sent`, or a
 * failed attempt retried after an exponential pause with jitter, `dead` after the last. A worker
 * that dies mid-send leaves a lease that lapses; another worker then sends again (at least once:
 * webhook receivers de-duplicate by `webhook-id`, mail carries the same Message-ID).
 */
export function makeDeliveryWorker(deps: {
  store: DeliveryWorkerStore;
  channels: readonly NotificationChannel[];
  uow: UnitOfWork;
  clock: Clock;
  /** This process, as a lease holder. */
  replicaId: string;
  options?: DeliveryWorkerOptions;
}) {
  const o = deps.options ?? {};
  const retry = checkDeliveryRetry({ ...DEFAULT_DELIVERY_RETRY, ...o.retry });
  const leaseMs = o.leaseMs ?? 60_000;
  const batchSize = o.batchSize ?? 16;
  const maxBatches = o.maxBatchesPerRun ?? 50;
  const random = o.random ?? Math.random;
  const channels = new Map(deps.channels.map((c) => [c.kind, c]));

  async function deliver(d: ClaimedDelivery, ctx: SendContext, result: DeliveryRunResult): Promise<void> {
    const channel = channels.get(d.channel);
    let error: unknown;
    try {
      if (channel === undefined) throw new PermanentDeliveryError(`no ${d.channel} channel in this instance`);
      await channel.send(d, ctx);
    } catch (e) {
      error = e;
    }
    const now = deps.clock.now();
    if (error === undefined) {
      if (await deps.store.sent(d.id, deps.replicaId, now)) result.sent += 1;
      else result.lost += 1;
      return;
    }
    const text = describe(error);
    const outcome =
      error instanceof PermanentDeliveryError
        ? { status: 'dead' as const, nextAttemptAt: now }
        : afterFailure(d.attempt, now, retry, random);
    result.errors.push({ id: d.id, channel: d.channel, error: text });
    if (!(await deps.store.failed(d.id, deps.replicaId, { ...outcome, error: text }, now))) result.lost += 1;
    else if (outcome.status === 'dead') result.dead += 1;
    else result.failed += 1;
  }

  return {
    /** Sends what is due now, batch after batch, until nothing is due or the run's budget is used. */
    async runOnce(): Promise<DeliveryRunResult> {
      const result: DeliveryRunResult = { claimed: 0, sent: 0, failed: 0, dead: 0, lost: 0, errors: [] };
      const memo = new Map<string, Promise<unknown>>();
      for (let batch = 0; batch < maxBatches; batch += 1) {
        const now = deps.clock.now();
        const claimed = await deps.store.claim(deps.replicaId, now, leaseMs, batchSize);
        result.claimed += claimed.length;
        const ctx: SendContext = {
          now,
          read<T>(key: string, load: Parameters<SendContext['read']>[1]) {
            let hit = memo.get(key) as Promise<T> | undefined;
            if (hit === undefined) {
              hit = deps.uow.run((tx) => load(tx) as Promise<T>);
              memo.set(key, hit);
              hit.catch(() => memo.delete(key));
            }
            return hit;
          },
        };
        await Promise.all(claimed.map((d) => deliver(d, ctx, result)));
        if (claimed.length < batchSize) break;
      }
      return result;
    },
  };
}

export type DeliveryWorker = ReturnType<typeof makeDeliveryWorker>;
