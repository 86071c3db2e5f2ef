import { connectorSecret } from '../app/connectors/connector-settings.js';
import type {
  ConnectorLeaseStore,
  ConnectorMetrics,
  Sealer,
  TargetSystem,
  TargetSystemFactory,
} from '../app/connectors/ports.js';
import type { Reconciler, ReconcileResult } from '../app/connectors/reconcile.js';
import type { OutboxConsumer } from '../app/outbox/ports.js';
import type { Connector } from '../domain/connectors/connector.js';
import { backoffMs } from '../domain/connectors/grant.js';
import type { Clock } from '../domain/time/clock.js';

/** How often every connector is compared with its target for drift, by default. */
export const DEFAULT_CONNECTOR_DRIFT_INTERVAL_MS = 60_000;
/** Retry after a failed reconcile: doubling from 1 s up to 5 minutes, by default. */
export const DEFAULT_CONNECTOR_BACKOFF = { baseMs: 1_000, maxMs: 300_000 };
/** How long one replica holds a connector while it reconciles it. */
const LEASE_MS = 60_000;
/** When another replica holds the lease, look again after this pause. */
const LEASE_BUSY_RETRY_MS = 1_000;
/** Timers fire this much after the instant they wait for, so `end` has passed on the clock. */
const TIMER_MARGIN_MS = 5;
/** setTimeout's longest delay. */
const MAX_TIMER_MS = 2_147_483_647;

export interface ConnectorReconcilerJob {
  /** Asks for a reconcile of one connector, or of every enabled one, as soon as back-off allows. */
  nudge(connectorId?: string): void;
  /** Reconciles every enabled connector now (ignoring nothing but back-off) and waits. */
  runAll(): Promise<void>;
  /** Waits until no reconcile is running. */
  idle(): Promise<void>;
  /** Reconciles attempted for a connector since start (successful or not). */
  attempts(connectorId: string): number;
  /** The last result of a connector, if its last attempt succeeded. */
  lastResult(connectorId: string): ReconcileResult | undefined;
  start(): void;
  /** Stops the timers, waits for runs in flight, closes the connections to targets. */
  stop(): Promise<void>;
}

interface State {
  running: Promise<void> | undefined;
  again: boolean;
  failures: number;
  retryAt: number;
  timer: NodeJS.Timeout | undefined;
  timerAt: number;
  target: { key: string; system: TargetSystem } | undefined;
  reported: Set<string>;
  attempts: number;
  last: ReconcileResult | undefined;
}

/**
 * The connector reconcilers (ADR 0030, docs/connectors.md): per connector, a reconcile at start,
 * when nudged (an outbox event, a configuration change), at the exact time the next holding of a
 * mapped role or group starts or ends (a timer, not a poll), and every `driftIntervalMs` for drift.
 * A failure backs off exponentially (never a tight loop against a target that is down) and is
 * recorded once per run of failures. One replica at a time reconciles a connector: each run takes
 * the connector's lease by compare-and-set and gives it back after.
 */
export function createConnectorReconciler(o: {
  reconciler: Reconciler;
  leases: ConnectorLeaseStore;
  targets: TargetSystemFactory;
  sealer: Sealer;
  clock: Clock;
  replicaId: string;
  driftIntervalMs: number;
  backoff?: { baseMs: number; maxMs: number };
  metrics?: ConnectorMetrics;
  onError?: (err: unknown, connectorId: string) => void;
}): ConnectorReconcilerJob {
  const backoff = o.backoff ?? DEFAULT_CONNECTOR_BACKOFF;
  const states = new Map<string, State>();
  let started = false;
  let drift: NodeJS.Timeout | undefined;

  const stateOf = (id: string): State => {
    let s = states.get(id);
    if (s === undefined) {
      s = {
        running: undefined,
        again: false,
        failures: 0,
        retryAt: 0,
        timer: undefined,
        timerAt: Infinity,
        target: undefined,
        reported: new Set(),
        attempts: 0,
        last: undefined,
      };
      states.set(id, s);
    }
    return s;
  };

  /** Wakes the connector at `at` on the clock (keeps an earlier wake-up already set). */
  function wakeAt(id: string, at: number): void {
    if (!started) return;
    const s = stateOf(id);
    // An earlier wake-up stays; the same instant is armed again (its delay is measured anew).
    if (s.timer !== undefined && s.timerAt < at) return;
    if (s.timer !== undefined) clearTimeout(s.timer);
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, at - o.clock.now()) + TIMER_MARGIN_MS);
    s.timerAt = at;
    s.timer = setTimeout(() => {
      s.timer = undefined;
      s.timerAt = Infinity;
      void run(id);
    }, delay);
    s.timer.unref();
  }

  async function targetOf(s: State, c: Connector): Promise<TargetSystem> {
    const key = `${c.id}:${c.version}`;
    if (s.target?.key === key) return s.target.system;
    await s.target?.system.close().catch(() => undefined);
    const system = o.targets(c.type, c.settings, connectorSecret(c, o.sealer));
    s.target = { key, system };
    return system;
  }

  /** Forgets the connection to a target; closing it is not awaited (a broken one may never close). */
  function dropTarget(s: State): void {
    const t = s.target;
    s.target = undefined;
    void t?.system.close().catch(() => undefined);
  }

  async function once(id: string): Promise<void> {
    const s = stateOf(id);
    const c = (await o.reconciler.enabled()).find((x) => x.id === id);
    if (c === undefined) {
      dropTarget(s);
      return;
    }
    if (!(await o.leases.claim(id, o.replicaId, o.clock.now(), LEASE_MS))) {
      wakeAt(id, o.clock.now() + LEASE_BUSY_RETRY_MS);
      return;
    }
    s.attempts += 1;
    try {
      const result = await o.reconciler.reconcile(c.tenantId, c.id, await targetOf(s, c), s.reported);
      s.failures = 0;
      s.retryAt = 0;
      s.last = result;
      if (result.nextChangeAt !== null) wakeAt(id, result.nextChangeAt);
    } catch (err) {
      s.failures += 1;
      s.last = undefined;
      s.retryAt = o.clock.now() + backoffMs(s.failures, backoff.baseMs, backoff.maxMs);
      o.metrics?.reconcileError(c.id, c.type);
      o.onError?.(err, id);
      // A fresh connection next time: the old one may be broken.
      dropTarget(s);
      if (s.failures === 1)
        await o.reconciler
          .recordUnreachable(c.tenantId, c.id, err instanceof Error ? err.message : String(err))
          .catch((e: unknown) => o.onError?.(e, id));
      wakeAt(id, s.retryAt);
    } finally {
      await o.leases.release(id, o.replicaId).catch(() => undefined);
    }
  }

  function run(id: string): Promise<void> {
    const s = stateOf(id);
    if (s.running !== undefined) {
      s.again = true;
      return s.running;
    }
    // Backing off: the retry timer runs it; a nudge does not shorten the pause.
    if (s.retryAt > o.clock.now()) {
      wakeAt(id, s.retryAt);
      return Promise.resolve();
    }
    s.running = (async () => {
      do {
        s.again = false;
        await once(id).catch((e: unknown) => o.onError?.(e, id));
      } while (s.again && s.retryAt <= o.clock.now());
    })().finally(() => {
      s.running = undefined;
    });
    return s.running;
  }

  async function runAll(): Promise<void> {
    const all = await o.reconciler.enabled();
    await Promise.all(all.map((c) => run(c.id)));
  }

  return {
    nudge(connectorId) {
      if (!started) return;
      if (connectorId !== undefined) void run(connectorId);
      else void runAll().catch((e: unknown) => o.onError?.(e, '*'));
    },
    runAll,
    async idle() {
      const running = () => [...states.values()].flatMap((s) => (s.running === undefined ? [] : [s.running]));
      while (running().length > 0) await Promise.all(running());
    },
    attempts: (id) => states.get(id)?.attempts ?? 0,
    lastResult: (id) => states.get(id)?.last,
    start() {
      if (started) return;
      started = true;
      void runAll().catch((e: unknown) => o.onError?.(e, '*'));
      if (o.driftIntervalMs > 0) {
        drift = setInterval(
          () => void runAll().catch((e: unknown) => o.onError?.(e, '*')),
          o.driftIntervalMs,
        );
        drift.unref();
      }
    },
    async stop() {
      started = false;
      if (drift !== undefined) clearInterval(drift);
      for (const s of states.values()) {
        if (s.timer !== undefined) clearTimeout(s.timer);
        s.timer = undefined;
      }
      await Promise.all([...states.values()].flatMap((s) => (s.running === undefined ? [] : [s.running])));
      for (const s of states.values()) {
        const t = s.target;
        s.target = undefined;
        await t?.system.close().catch(() => undefined);
      }
    },
  };
}

/** Event types after which what Elevate holds may have changed. */
const RELEVANT = /^(pim\.|roles\.assignment|directory\.(groupMember|user(Updated|Deleted)))/;

/**
 * The `connectors` outbox consumer: after an activation, a deactivation, an expiry, a role
 * assignment or a membership change commits, every connector is reconciled at once (the
 * reconcile reads the state at its own `now`; the event is only the wake-up).
 */
export const connectorWakeUp = (job: Pick<ConnectorReconcilerJob, 'nudge'>): OutboxConsumer => ({
  name: 'connectors',
  accepts: (type) => RELEVANT.test(type),
  async handle() {
    job.nudge();
  },
});
