import type { DeliveredMessage, OutboxConsumer, OutboxMessage } from '../../src/app/outbox/ports.js';
import { makeOutboxRelay, type OutboxRelayOptions } from '../../src/app/outbox/relay.js';
import { newId } from '../../src/domain/shared/ids.js';
import { ManualClock } from '../../src/domain/time/clock.js';
import { migrate } from '../../src/store/migrator.js';
import { outboxRelayStore } from '../../src/store/outbox/relay-store.js';
import { createUnitOfWork } from '../../src/modules/unit-of-work.js';
import { freshDb } from '../helpers/db.js';

export const T0 = Date.UTC(2026, 0, 1);
export const TENANT = '11111111-1111-4111-8111-111111111111';

/**
 * A fresh, migrated database with a unit of work, the relay's store and a manual clock.
 * PostgreSQL pools get `poolSize` connections (concurrency tests hold several at once).
 */
export async function outboxFixture(options: { poolSize?: number } = {}) {
  const db = await freshDb(options.poolSize ? { pgPoolSize: options.poolSize } : {});
  const clock = new ManualClock(T0);
  await migrate(db, { clock });
  const uow = createUnitOfWork(db);
  const store = outboxRelayStore(db.kysely);
  let n = 0;
  return {
    db,
    clock,
    uow,
    store,
    /** A message as a use case would enqueue it; `payload.n` counts up across the test. */
    message(type = 'test.happened', payload: Record<string, unknown> = {}): OutboxMessage {
      n += 1;
      return { id: newId(), tenantId: TENANT, type, occurredAt: clock.now(), payload: { n, ...payload } };
    },
    /** Enqueues the messages in one committed transaction. */
    enqueue: (...messages: OutboxMessage[]) => uow.run((tx) => tx.outbox.enqueue(messages)),
    relay: (consumers: OutboxConsumer[], replicaId = 'replica-a', relayOptions: OutboxRelayOptions = {}) =>
      makeOutboxRelay({ store, clock, replicaId, consumers, options: relayOptions }),
    close: () => db.drop(),
  };
}

export type OutboxFixture = Awaited<ReturnType<typeof outboxFixture>>;

/** A consumer that records what it is handed; `fail` decides per message whether to throw. */
export function recorder(
  name: string,
  o: {
    accepts?: (type: string) => boolean;
    fail?: (m: DeliveredMessage) => boolean;
    from?: 'end' | 'beginning';
    seen?: DeliveredMessage[];
  } = {},
) {
  const seen = o.seen ?? [];
  const consumer = {
    name,
    seen,
    accepts: o.accepts ?? (() => true),
    async handle(m: DeliveredMessage) {
      seen.push(m);
      if (o.fail?.(m)) throw new Error(`refused ${String(m.payload.n)} on attempt ${m.attempt}`);
    },
    ...(o.from ? { from: o.from } : {}),
  } satisfies OutboxConsumer & { seen: DeliveredMessage[] };
  return consumer;
}

/** Ids of messages, for comparing what was enqueued with what was delivered. */
export const ids = (ms: readonly { id: string }[]) => ms.map((m) => m.id);

/** A promise and the function that resolves it. */
export function gate<T = void>() {
  let open!: (v: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

/** Polls `check` until it passes or `timeoutMs` elapses (then throws its last error). */
export async function eventually(check: () => void | Promise<void>, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (e) {
      if (Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
