import { connectorSecret } from '../app/connectors/connector-settings.js';
import type {
  ConnectorLeaseStore,
  ConnectorMetrics,
  ReconcileCounts,
  ReconcileOutcome,
  Sealer,
  TargetSystem,
  TargetSystemFactory,
} from '../app/connectors/ports.js';
import { ReconcileIncomplete, type Reconciler, type ReconcileResult } from '../app/connectors/reconcile.js';
import type { OutboxConsumer } from '../app/outbox/ports.js';
import type { Connector } from '../domain/connectors/connector.js';
import { backoffMs } from '../domain/connectors/grant.js';
import { FULL_RECONCILE, usersChangedBy, type ReconcileScope } from '../domain/connectors/reconcile-scope.js';
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
  /**
   * Asks for a reconcile of one connector, or of every enabled one, as soon as back-off allows:
   * of the named users only (an outbox event's), or without `users` a full one. Nudges that come
   * while a run is under way coalesce into the next run, for the union of the names (ADR 0045).
   */
  nudge(connectorId?: string, users?: readonly string[]): void;
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
  /** Users named since the last run took its scope: the next run compares them. */
  pending: Set<string>;
  /** A full comparison is asked (start, drift poll, configuration change, an event naming no user). */
  fullAsked: boolean;
  /**
   * Starts and ends up to this instant are reconciled: a scoped run also compares the users whose
   * schedules started or ended after it. Null until a full run succeeded: the next run is full.
   */
  horizon: number | null;
  /** When a full run is due to retry the changes a target refused (Infinity: none is). */
  fullAt: number;
}

/**
 * The connector reconcilers (ADR 0030, docs/connectors.md): per connector, a reconcile at start,
 * when nudged (an outbox event, a configuration change), at the exact time the next holding of a
 * mapped role or group starts or ends (a timer, not a poll), and every `driftIntervalMs` for drift.
 * A failure backs off exponentially (never a tight loop against a target that is down) and is
 * recorded once per run of failures. One replica at a time reconciles a connector: each run takes
 * the connector's lease by compare-and-set and gives it back after.
 */
const countsOf = (r: ReconcileCounts): ReconcileCounts => ({
  granted: r.granted,
  revoked: r.revoked,
  driftRepaired: r.driftRepaired,
  unmanaged: r.unmanaged,
});

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
        pending: new Set(),
        fullAsked: false,
        horizon: null,
        fullAt: Infinity,
      };
      states.set(id, s);
    }
    return s;
  };

  /** Wakes the connector at `at` on the clock (keeps an earlier wake-up already set). */
  function wakeAt(id: string, at: number): void {
    if (!started) return;
    const s = stateOf(id);
    // An earlier wake-up stays; the same instant is armed again (its delay is measured anew). One
    // already due on the clock is replaced: its run is the one asking now (or the clock was moved).
    if (s.timer !== undefined && s.timerAt < at && s.timerAt > o.clock.now()) return;
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

  /**
   * What the next run compares, taken from the state (names arriving meanwhile go to the run
   * after): everything when asked, before the first full run succeeded, or when a retry is due;
   * else the named users and those whose schedules started or ended since the last run.
   */
  function takeScope(s: State): ReconcileScope {
    const full = s.fullAsked || s.horizon === null || s.fullAt <= o.clock.now();
    const scope: ReconcileScope = full
      ? FULL_RECONCILE
      : { kind: 'principals', principalIds: [...s.pending], changesSince: s.horizon! };
    s.fullAsked = false;
    s.pending = new Set();
    if (full) s.fullAt = Infinity;
    return scope;
  }

  async function once(id: string): Promise<void> {
    const s = stateOf(id);
    const c = (await o.reconciler.enabled()).find((x) => x.id === id);
    if (c === undefined) {
      s.pending.clear();
      dropTarget(s);
      return;
    }
    if (!(await o.leases.claim(id, o.replicaId, o.clock.now(), LEASE_MS))) {
      wakeAt(id, o.clock.now() + LEASE_BUSY_RETRY_MS);
      return;
    }
    s.attempts += 1;
    const scope = takeScope(s);
    let outcome: ReconcileOutcome | undefined;
    try {
      const result = await o.reconciler.reconcile(c.tenantId, c.id, await targetOf(s, c), s.reported, scope);
      s.horizon = result.asOf;
      // Only a full run vouches for the changes a target refused before (a scoped one did not
      // look at them): it ends the run of failures, and the status shows it.
      if (result.scope === 'full') {
        s.failures = 0;
        s.retryAt = 0;
        s.fullAt = Infinity;
      }
      if (s.failures === 0) outcome = { at: o.clock.now(), result: countsOf(result) };
      s.last = result;
      if (result.nextChangeAt !== null) wakeAt(id, result.nextChangeAt);
      if (s.fullAt !== Infinity) wakeAt(id, s.fullAt);
    } catch (err) {
      s.failures += 1;
      s.last = undefined;
      const retryAt = o.clock.now() + backoffMs(s.failures, backoff.baseMs, backoff.maxMs);
      o.metrics?.reconcileError(c.id, c.type);
      o.onError?.(err, id);
      // The target answered and made the other changes: the failed ones are retried after the
      // back-off, while the next start or end (a revocation) keeps its exact time and nudges still
      // run. Otherwise the target failed as a whole: a fresh connection next time, and nothing
      // before the back-off.
      const partial = err instanceof ReconcileIncomplete ? err.result : undefined;
      outcome = {
        at: o.clock.now(),
        error: err instanceof Error ? err.message : String(err),
        partial: partial ? countsOf(partial) : null,
      };
      s.retryAt = partial ? 0 : retryAt;
      if (partial) {
        // The others were made: starts and ends up to the run are done; a full run retries the
        // refused ones after the back-off (scoped runs meanwhile leave them alone).
        s.horizon = partial.asOf;
        s.fullAt = retryAt;
      } else {
        // Nothing is known to be done: the run after the back-off compares everything.
        s.fullAsked = true;
        dropTarget(s);
      }
      if (s.failures === 1)
        await o.reconciler
          .recordUnreachable(c.tenantId, c.id, err instanceof Error ? err.message : String(err))
          .catch((e: unknown) => o.onError?.(e, id));
      wakeAt(id, retryAt);
      if (partial?.nextChangeAt != null) wakeAt(id, partial.nextChangeAt);
    } finally {
      // The run's outcome goes with the lease, so every replica's API shows the connector's status.
      await o.leases.release(id, o.replicaId, outcome).catch(() => undefined);
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

  /** Asks a connector for a run: of these users, or (without them) a full one. */
  function ask(id: string, users: readonly string[] | undefined): Promise<void> {
    const s = stateOf(id);
    if (users === undefined) s.fullAsked = true;
    else for (const u of users) s.pending.add(u);
    return run(id);
  }

  /**
   * Runs asked for every connector that are still reading which connectors are enabled: no
   * connector's run has started yet, so `idle` and `stop` wait for these too.
   */
  const asking = new Set<Promise<void>>();

  /**
   * The read of the enabled connectors under way, with the users named meanwhile (undefined: a
   * full run). Nudges arriving before it ends join it: a burst of messages (an expiry batch, many
   * activations) costs one read and one run per connector, not one per message.
   */
  let gathering: { users: Set<string> | undefined; run: Promise<void> } | undefined;

  function runAll(users?: readonly string[]): Promise<void> {
    if (gathering !== undefined) {
      if (users === undefined) gathering.users = undefined;
      else if (gathering.users !== undefined) for (const u of users) gathering.users.add(u);
      return gathering.run;
    }
    const g: { users: Set<string> | undefined; run?: Promise<void> } = {
      users: users === undefined ? undefined : new Set(users),
    };
    const p = (async () => {
      let all: Connector[];
      try {
        all = await o.reconciler.enabled();
      } finally {
        gathering = undefined;
      }
      const named = g.users === undefined ? undefined : [...g.users];
      await Promise.all(all.map((c) => ask(c.id, named)));
    })();
    g.run = p;
    gathering = g as { users: Set<string> | undefined; run: Promise<void> };
    asking.add(p);
    const forget = () => asking.delete(p);
    p.then(forget, forget);
    return p;
  }

  /** Waits until no run is asked for or under way (runs may ask for more: wait again). */
  async function settle(): Promise<void> {
    const busy = () => [
      ...asking,
      ...[...states.values()].flatMap((s) => (s.running === undefined ? [] : [s.running])),
    ];
    for (let b = busy(); b.length > 0; b = busy()) await Promise.all(b.map((x) => x.catch(() => undefined)));
  }

  return {
    nudge(connectorId, users) {
      if (!started) return;
      if (connectorId !== undefined) void ask(connectorId, users);
      else void runAll(users).catch((e: unknown) => o.onError?.(e, '*'));
    },
    runAll: () => runAll(),
    idle: settle,
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
      await settle();
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
 * assignment or a membership change commits, every connector is reconciled at once for the users
 * the event names (the reconcile reads their state at its own `now`; the event only says whom to
 * look at), or fully when it names none (ADR 0045).
 */
export const connectorWakeUp = (job: Pick<ConnectorReconcilerJob, 'nudge'>): OutboxConsumer => ({
  name: 'connectors',
  accepts: (type) => RELEVANT.test(type),
  async handle(message) {
    job.nudge(undefined, usersChangedBy(message.type, message.payload) ?? undefined);
  },
});
