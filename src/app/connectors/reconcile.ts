import { SYSTEM_INITIATOR } from '../../domain/audit/draft.js';
import { loginFor, type Connector, type ConnectorMapping } from '../../domain/connectors/connector.js';
import {
  grantApplied,
  grantRevoked,
  targetUnreachable,
  unmanagedGrantFound,
} from '../../domain/connectors/connector-events.js';
import {
  planReconcile,
  type ActualGrant,
  type DesiredGrant,
  type TargetGrantRecord,
} from '../../domain/connectors/grant.js';
import {
  FULL_RECONCILE,
  MAX_SCOPED_PRINCIPALS,
  type ReconcileScope,
} from '../../domain/connectors/reconcile-scope.js';
import type { Clock } from '../../domain/time/clock.js';
import type { Actor } from '../events/ports.js';
import type { Stores, UnitOfWork } from '../ports.js';
import {
  TargetUnavailableError,
  type ConnectorLeaseStore,
  type ConnectorMetrics,
  type TargetSystem,
} from './ports.js';

/** Grants made per batch: two commits each (records `granting`, then `granted`). */
const GRANT_BATCH = 50;
/** Target calls of a batch in flight at once (a target driver's pool holds as many connections). */
const GRANT_CONCURRENCY = 4;

/** Runs `work` over `items`, at most `limit` at a time. */
async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/** The stores a snapshot reads, bound to its transaction. */
type Tx = Pick<Stores, 'connectors' | 'targetGrants'>;

const system = (tenantId: string): Actor => ({ tenantId, initiatedBy: SYSTEM_INITIATOR });

/** What one reconcile did, and when the holders can next change (the reconciler's next wake-up). */
export interface ReconcileResult {
  granted: number;
  revoked: number;
  driftRepaired: number;
  unmanaged: number;
  nextChangeAt: number | null;
  /** The instant compared: starts and ends up to it are reconciled (a scoped run's next `changesSince`). */
  asOf: number;
  /** What was compared: a scoped run falls back to `full` when it cannot vouch for its answer. */
  scope: ReconcileScope['kind'];
}

/** A change that failed (the target refused it) in a reconcile whose other changes went through. */
export interface ChangeFailure {
  change: 'grant' | 'revoke';
  target: string;
  login: string;
  error: string;
}

/**
 * Thrown by `reconcile` when the target refused some changes and made the others: the result
 * counts what was done. The job backs off for the refused ones only; the rest of the connector's
 * schedule (the next end to revoke) keeps its time.
 */
export class ReconcileIncomplete extends Error {
  constructor(
    readonly result: ReconcileResult,
    readonly failures: readonly ChangeFailure[],
  ) {
    const first = failures[0]!;
    super(
      `${failures.length} change(s) failed, the others were made; first: ${first.change} ` +
        `"${first.target}" ${first.change === 'grant' ? 'to' : 'from'} "${first.login}": ${first.error}`,
    );
    this.name = 'ReconcileIncomplete';
  }
}

/** A change's idempotency key: its record and the record's version (ADR 0039). */
const callKey = (r: TargetGrantRecord) => `${r.id}.${r.version}`;

/** An error's first line, bounded (drivers' errors are one line an administrator can act on). */
const firstLine = (e: unknown): string =>
  (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 300);

/** What a reconcile reads in one transaction. */
interface Snapshot {
  connector: Connector;
  mappings: ConnectorMapping[];
  desired: DesiredGrant[];
  owned: TargetGrantRecord[];
  nextChangeAt: number | null;
  /** The users compared, or null: every holder, owned record and target member (a full run). */
  only: ReadonlySet<string> | null;
}

/**
 * The reconciler's use cases (ADR 0030, ADR 0045). `reconcile` brings one connector's target to
 * what Elevate holds now: desired = users holding each mapped role or group at `now` (read like
 * every access check, never waiting for the sweeper); actual = the target's `list`. A run scoped to
 * a few users (the ones an outbox event names, or whose schedules started or ended since the last
 * run) reads only theirs: their holdings, their records, their logins in the target. Revokes
 * first, then grants; each change is written to the ownership table around the target call so
 * that a crash at any point leaves a record the next run finishes: a grant is recorded `granting`
 * before the target is asked, and `revoked` only after it confirmed. Network calls run outside
 * transactions.
 */
export function makeReconciler(deps: {
  uow: UnitOfWork;
  clock: Clock;
  newId: () => string;
  metrics?: ConnectorMetrics;
}) {
  /** What the mapped sources' holders (all, or those `among`) should have in the target now. */
  async function desiredOf(
    tx: Tx,
    connector: Connector,
    mappings: readonly ConnectorMapping[],
    now: number,
    among: ReadonlySet<string> | null,
  ): Promise<DesiredGrant[]> {
    const users = among === null ? undefined : [...among];
    // Explicit logins win over the derived ones; a changed login is a new desired grant, so the
    // old login's grant is revoked and the new one granted by the same diff.
    const explicit = new Map(
      (await tx.connectors.logins(connector.tenantId, connector.id, users)).map((l) => [
        l.principalId,
        l.login,
      ]),
    );
    const desired: DesiredGrant[] = [];
    for (const m of mappings) {
      for (const h of await tx.connectors.holders(m, now, users)) {
        const login = loginFor(connector.loginSource, explicit, h.principalId, h.userPrincipalName);
        if (login === null) continue;
        desired.push({
          mappingId: m.id,
          principalId: h.principalId,
          login,
          target: m.targetGrant,
          scheduleId: h.scheduleId,
          // Read for the new grants only (`requestTimes`): every run reads every holder.
          requestId: h.requestId,
          requestedAt: null,
          approvedAt: h.since,
        });
      }
    }
    return desired;
  }

  /**
   * The users a scoped run compares: the named ones and those whose schedules started or ended in
   * `(changesSince, now]` (the instants the timer woke the job for). Null: compare everything, when
   * a group's schedule changed (it passes the role to every member) or the names are too many.
   */
  async function usersInScope(
    tx: Tx,
    mappings: readonly ConnectorMapping[],
    scope: Extract<ReconcileScope, { kind: 'principals' }>,
    now: number,
  ): Promise<Set<string> | null> {
    const changed = await tx.connectors.changedBetween(mappings, scope.changesSince, now);
    if (changed.some((c) => c.principalType === 'group')) return null;
    const users = new Set([...scope.principalIds, ...changed.map((c) => c.principalId)]);
    return users.size > MAX_SCOPED_PRINCIPALS ? null : users;
  }

  /**
   * The owned records of the users `among`, and of every login they have or had: or null when
   * another user's record has one of those logins (two userPrincipalNames giving one login). Which
   * of them keeps the membership is then decided by comparing both, so the run compares everything.
   */
  async function ownedAmong(
    tx: Tx,
    connector: Connector,
    desired: readonly DesiredGrant[],
    among: ReadonlySet<string>,
  ): Promise<TargetGrantRecord[] | null> {
    const { tenantId, id } = connector;
    const logins = new Set(desired.map((d) => d.login));
    const owned = await tx.targetGrants.owned(tenantId, id, {
      principalIds: [...among],
      logins: [...logins],
    });
    // Logins the records have and no desired grant does (an end, a changed login): who else has them?
    const formerLogins = [...new Set(owned.map((r) => r.login))].filter((l) => !logins.has(l));
    const more =
      formerLogins.length === 0
        ? []
        : await tx.targetGrants.owned(tenantId, id, { principalIds: [], logins: formerLogins });
    const byId = new Map([...owned, ...more].map((r) => [r.id, r]));
    const records = [...byId.values()];
    return records.some((r) => !among.has(r.principalId)) ? null : records;
  }

  async function snapshot(
    tenantId: string,
    connectorId: string,
    scope: ReconcileScope,
    now: number,
  ): Promise<Snapshot | undefined> {
    return deps.uow.run(async (tx) => {
      const connector = await tx.connectors.get(tenantId, connectorId);
      if (connector === undefined) return undefined;
      const mappings = await tx.connectors.mappings(tenantId, connectorId);
      const nextChangeAt = await tx.connectors.nextChange(mappings, now);
      const only = scope.kind === 'full' ? null : await usersInScope(tx, mappings, scope, now);
      if (only !== null) {
        const desired = await desiredOf(tx, connector, mappings, now, only);
        const owned = await ownedAmong(tx, connector, desired, only);
        if (owned !== null) return { connector, mappings, desired, owned, nextChangeAt, only };
      }
      const desired = await desiredOf(tx, connector, mappings, now, null);
      const owned = await tx.targetGrants.owned(tenantId, connectorId);
      return { connector, mappings, desired, owned, nextChangeAt, only: null };
    });
  }

  /** The target's members of `targets`: all of them, or (a scoped run) those among the snapshot's logins. */
  async function actualOf(target: TargetSystem, snap: Snapshot, targets: readonly string[]) {
    if (snap.only === null) return target.list(targets);
    const logins = [...new Set([...snap.desired.map((d) => d.login), ...snap.owned.map((r) => r.login)])];
    if (target.listFor !== undefined) return target.listFor(targets, logins);
    const listed = await target.list(targets);
    const wanted = new Set(logins);
    return listed === null ? null : listed.filter((a) => wanted.has(a.login));
  }

  return {
    /**
     * Reconciles one connector against its target. `reported` remembers the unmanaged
     * memberships already reported (one alert each, not one per run).
     * @throws whatever the target throws (unreachable, refused): the caller backs off and retries
     */
    async reconcile(
      tenantId: string,
      connectorId: string,
      target: TargetSystem,
      reported: Set<string> = new Set(),
      scope: ReconcileScope = FULL_RECONCILE,
    ): Promise<ReconcileResult> {
      const now = deps.clock.now();
      const snap = await snapshot(tenantId, connectorId, scope, now);
      const result: ReconcileResult = {
        granted: 0,
        revoked: 0,
        driftRepaired: 0,
        unmanaged: 0,
        nextChangeAt: null,
        asOf: now,
        scope: snap?.only == null ? 'full' : 'principals',
      };
      if (snap === undefined || !snap.connector.isEnabled) return result;
      result.nextChangeAt = snap.nextChangeAt;
      const c = snap.connector;
      // Nothing mapped (or, in a scoped run, held) and nothing owned: nothing to do in the target.
      const nothingWanted = snap.only === null ? snap.mappings.length === 0 : snap.desired.length === 0;
      if (nothingWanted && snap.owned.length === 0) return result;
      const targets = [...new Set(snap.mappings.map((m) => m.targetGrant))];
      const ownedTargets = [...new Set(snap.owned.map((r) => r.target))];
      const listed = await actualOf(target, snap, [...new Set([...targets, ...ownedTargets])]);
      // A target that cannot list (a webhook without a list endpoint): what Elevate granted and
      // has not revoked is what it has. Drift made there is then invisible (docs/connectors.md).
      const actual: ActualGrant[] =
        listed ??
        snap.owned
          .filter((r) => r.state === 'granted' && !r.adopted)
          .map((r) => ({ target: r.target, login: r.login }));
      const plan = planReconcile(snap.desired, snap.owned, actual, targets);

      // One refused change never holds up the others (a missing login, a role the target lacks):
      // each is tried, and the refusals are reported together at the end.
      const failures: ChangeFailure[] = [];
      const attempt = async (
        change: ChangeFailure['change'],
        what: { target: string; login: string },
        work: () => Promise<void>,
      ): Promise<void> => {
        try {
          await work();
        } catch (e) {
          // The target failed as a whole: stop here and back off rather than try every change.
          if (e instanceof TargetUnavailableError) throw e;
          failures.push({ change, target: what.target, login: what.login, error: firstLine(e) });
        }
      };

      // Revokes first: ending access matters more than starting it.
      const ended = new Set<string>();
      for (const { record, inTarget } of plan.revoke)
        await attempt('revoke', record, async () => {
          const endedAt = record.endedAt ?? (await endOf(record, now));
          let sessions = 0;
          if (inTarget) {
            // The key is the record's id and version: the same on a retry, new for the next change.
            const key = callKey(record);
            await target.revoke({ target: record.target, login: record.login }, { key: `${key}.revoke` });
            if (target.endSessions !== undefined && !ended.has(record.login)) {
              sessions = await target.endSessions(record.login, { key: `${key}.sessions` });
              ended.add(record.login);
            }
          }
          const revokedAt = deps.clock.now();
          const after: TargetGrantRecord = {
            ...record,
            state: 'revoked',
            endedAt,
            revokedAt,
            version: record.version + 1,
          };
          await deps.uow.run(async (tx) => {
            await tx.targetGrants.update(after, record.version);
            tx.events.record(system(tenantId), revokedAt, grantRevoked(c, after, sessions));
          });
          deps.metrics?.revoked(c.id, c.type, Math.max(0, revokedAt - endedAt) / 1000);
          result.revoked += 1;
        });

      // Grants in batches: each batch's new ownership records are committed `granting` before the
      // target is asked (crash safety), then each grant is made in the target (a refusal holds up
      // no other), then the confirmed ones are recorded `granted` together. Two commits per batch
      // instead of two per grant: with a thousand activations at once the commits, not the
      // target, were the wait.
      const requestedAt = await requestTimes(
        tenantId,
        plan.grant.filter((i) => i.record === undefined).map((i) => i.desired),
      );
      for (let at = 0; at < plan.grant.length; at += GRANT_BATCH) {
        const batch = plan.grant.slice(at, at + GRANT_BATCH).map((item) => ({
          item,
          record: item.record ?? freshRecord(tenantId, c.id, item, requestedAt, now),
        }));
        const inserts = batch.filter((b) => b.item.record === undefined).map((b) => b.record);
        let ready = batch;
        if (inserts.length > 0)
          try {
            await deps.uow.run(async (tx) => {
              for (const r of inserts) await tx.targetGrants.insert(r);
            });
          } catch (e) {
            // Not recorded, so not asked: these wait for the next run; recorded ones go ahead.
            for (const r of inserts)
              failures.push({ change: 'grant', target: r.target, login: r.login, error: firstLine(e) });
            ready = batch.filter((b) => b.item.record !== undefined);
          }
        const confirmed: {
          item: (typeof batch)[number]['item'];
          before: TargetGrantRecord;
          after: TargetGrantRecord;
        }[] = [];
        // A few target calls at a time: each is a round trip, and the target takes them in parallel.
        await inParallel(ready, GRANT_CONCURRENCY, ({ item, record }) =>
          attempt('grant', item.desired, async () => {
            // The key is the record's id and version: the same on a retry, new for the next change.
            await target.grant(
              { target: item.desired.target, login: item.desired.login },
              { key: `${callKey(record)}.grant` },
            );
            const effectiveAt = deps.clock.now();
            confirmed.push({
              item,
              before: record,
              after: {
                ...record,
                state: 'granted',
                effectiveAt: record.effectiveAt ?? effectiveAt,
                version: record.version + 1,
              },
            });
          }),
        );
        if (confirmed.length === 0) continue;
        try {
          await deps.uow.run(async (tx) => {
            for (const { item, before, after } of confirmed) {
              await tx.targetGrants.update(after, before.version);
              tx.events.record(
                system(tenantId),
                after.effectiveAt ?? now,
                grantApplied(c, after, item.drifted),
              );
            }
          });
        } catch (e) {
          // The target has them; the records stay as they were and the next run confirms them again.
          for (const { after } of confirmed)
            failures.push({ change: 'grant', target: after.target, login: after.login, error: firstLine(e) });
          continue;
        }
        for (const { item, before, after } of confirmed) {
          if (item.drifted) {
            deps.metrics?.driftFound(c.id, c.type, 'removed');
            result.driftRepaired += 1;
          } else {
            if (before.effectiveAt === null && after.approvedAt !== null && after.effectiveAt !== null)
              deps.metrics?.effective(c.id, c.type, Math.max(0, after.effectiveAt - after.approvedAt) / 1000);
            result.granted += 1;
          }
        }
      }

      const fresh = plan.unmanaged.filter((a) => !reported.has(`${a.target}\u0000${a.login}`));
      if (fresh.length > 0) {
        await deps.uow.run(async (tx) => {
          for (const a of fresh) tx.events.record(system(tenantId), now, unmanagedGrantFound(c, a));
        });
        for (const a of fresh) {
          reported.add(`${a.target}\u0000${a.login}`);
          deps.metrics?.driftFound(c.id, c.type, 'unmanaged');
        }
      }
      result.unmanaged = fresh.length;
      if (failures.length > 0) throw new ReconcileIncomplete(result, failures);
      return result;
    },

    /** Records that the target could not be reached (once per run of failures; the job decides). */
    async recordUnreachable(tenantId: string, connectorId: string, reason: string): Promise<void> {
      const now = deps.clock.now();
      await deps.uow.run(async (tx) => {
        const c = await tx.connectors.get(tenantId, connectorId);
        if (c !== undefined) tx.events.record(system(tenantId), now, targetUnreachable(c, reason));
      });
    },

    /** Enabled connectors of every tenant. */
    async enabled(): Promise<Connector[]> {
      return deps.uow.read((db) => db.connectors.allEnabled());
    },
  };

  /** When each new grant's request was made (by request id), read in one transaction. */
  async function requestTimes(
    tenantId: string,
    fresh: readonly DesiredGrant[],
  ): Promise<Map<string, number | null>> {
    const ids = [...new Set(fresh.flatMap((d) => (d.requestId == null ? [] : [d.requestId])))];
    const times = new Map<string, number | null>();
    if (ids.length === 0) return times;
    await deps.uow.run(async (tx) => {
      for (const id of ids) times.set(id, await tx.connectors.requestedAt(tenantId, id));
    });
    return times;
  }

  /** A new ownership record for a grant about to be made: `granting` until the target confirms. */
  function freshRecord(
    tenantId: string,
    connectorId: string,
    item: { desired: DesiredGrant; adopt: boolean },
    requestedAt: ReadonlyMap<string, number | null>,
    now: number,
  ): TargetGrantRecord {
    const d = item.desired;
    return {
      id: deps.newId(),
      tenantId,
      connectorId,
      mappingId: d.mappingId,
      principalId: d.principalId,
      login: d.login,
      target: d.target,
      state: 'granting',
      adopted: item.adopt,
      scheduleId: d.scheduleId,
      requestedAt: d.requestId == null ? d.requestedAt : (requestedAt.get(d.requestId) ?? null),
      approvedAt: d.approvedAt,
      effectiveAt: null,
      endedAt: null,
      revokedAt: null,
      createdAt: now,
      version: 1,
    };
  }

  /** When Elevate stopped holding the grant: its schedule's end if that is past, else now. */
  async function endOf(record: TargetGrantRecord, now: number): Promise<number> {
    if (record.scheduleId === null) return now;
    const end = await deps.uow.run((tx) => tx.connectors.scheduleEnd(record.tenantId, record.scheduleId!));
    return end !== null && end <= now ? end : now;
  }
}

export type Reconciler = ReturnType<typeof makeReconciler>;

/** The lease port, re-exported for the job that takes it with the reconciler. */
export type { ConnectorLeaseStore };
