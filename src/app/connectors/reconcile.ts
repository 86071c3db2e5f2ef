import { SYSTEM_INITIATOR } from '../../domain/audit/draft.js';
import { loginOf, type Connector, type ConnectorMapping } from '../../domain/connectors/connector.js';
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
import type { Clock } from '../../domain/time/clock.js';
import type { Actor } from '../events/ports.js';
import type { UnitOfWork } from '../ports.js';
import type { ConnectorLeaseStore, ConnectorMetrics, TargetSystem } from './ports.js';

const system = (tenantId: string): Actor => ({ tenantId, initiatedBy: SYSTEM_INITIATOR });

/** What one reconcile did, and when the holders can next change (the reconciler's next wake-up). */
export interface ReconcileResult {
  granted: number;
  revoked: number;
  driftRepaired: number;
  unmanaged: number;
  nextChangeAt: number | null;
}

/** What a reconcile reads in one transaction. */
interface Snapshot {
  connector: Connector;
  mappings: ConnectorMapping[];
  desired: DesiredGrant[];
  owned: TargetGrantRecord[];
  nextChangeAt: number | null;
}

/**
 * The reconciler's use cases (ADR 0030). `reconcile` brings one connector's target to what Elevate
 * holds now: desired = users holding each mapped role or group at `now` (read like every access
 * check, never waiting for the sweeper); actual = the target's `list`. Revokes first, then grants;
 * each change is written to the ownership table around the target call so that a crash at any
 * point leaves a record the next run finishes: a grant is recorded `granting` before the target is
 * asked, and `revoked` only after it confirmed. Network calls run outside transactions.
 */
export function makeReconciler(deps: {
  uow: UnitOfWork;
  clock: Clock;
  newId: () => string;
  metrics?: ConnectorMetrics;
}) {
  async function snapshot(tenantId: string, connectorId: string, now: number): Promise<Snapshot | undefined> {
    return deps.uow.run(async (tx) => {
      const connector = await tx.connectors.get(tenantId, connectorId);
      if (connector === undefined) return undefined;
      const mappings = await tx.connectors.mappings(tenantId, connectorId);
      const desired: DesiredGrant[] = [];
      const requested = new Map<string, number | null>();
      for (const m of mappings) {
        for (const h of await tx.connectors.holders(m, now)) {
          const login = loginOf(connector.loginSource, h.userPrincipalName);
          if (login === null) continue;
          let requestedAt: number | null = null;
          if (h.requestId !== null) {
            if (!requested.has(h.requestId))
              requested.set(h.requestId, await tx.connectors.requestedAt(tenantId, h.requestId));
            requestedAt = requested.get(h.requestId) ?? null;
          }
          desired.push({
            mappingId: m.id,
            principalId: h.principalId,
            login,
            target: m.targetGrant,
            scheduleId: h.scheduleId,
            requestedAt,
            approvedAt: h.since,
          });
        }
      }
      const owned = await tx.targetGrants.owned(tenantId, connectorId);
      const nextChangeAt = await tx.connectors.nextChange(mappings, now);
      return { connector, mappings, desired, owned, nextChangeAt };
    });
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
    ): Promise<ReconcileResult> {
      const now = deps.clock.now();
      const snap = await snapshot(tenantId, connectorId, now);
      const result: ReconcileResult = {
        granted: 0,
        revoked: 0,
        driftRepaired: 0,
        unmanaged: 0,
        nextChangeAt: null,
      };
      if (snap === undefined || !snap.connector.isEnabled) return result;
      result.nextChangeAt = snap.nextChangeAt;
      const c = snap.connector;
      // Nothing mapped and nothing owned: the target has nothing to do with Elevate yet.
      if (snap.mappings.length === 0 && snap.owned.length === 0) return result;
      const targets = [...new Set(snap.mappings.map((m) => m.targetGrant))];
      const ownedTargets = [...new Set(snap.owned.map((r) => r.target))];
      const actual: ActualGrant[] = await target.list([...new Set([...targets, ...ownedTargets])]);
      const plan = planReconcile(snap.desired, snap.owned, actual, targets);

      // Revokes first: ending access matters more than starting it.
      const ended = new Set<string>();
      for (const { record, inTarget } of plan.revoke) {
        const endedAt = record.endedAt ?? (await endOf(record, now));
        let sessions = 0;
        if (inTarget) {
          await target.revoke({ target: record.target, login: record.login });
          if (target.endSessions !== undefined && !ended.has(record.login)) {
            sessions = await target.endSessions(record.login);
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
      }

      for (const item of plan.grant) {
        const d = item.desired;
        let record = item.record;
        if (record === undefined) {
          const fresh: TargetGrantRecord = {
            id: deps.newId(),
            tenantId,
            connectorId: c.id,
            mappingId: d.mappingId,
            principalId: d.principalId,
            login: d.login,
            target: d.target,
            state: 'granting',
            adopted: item.adopt,
            scheduleId: d.scheduleId,
            requestedAt: d.requestedAt,
            approvedAt: d.approvedAt,
            effectiveAt: null,
            endedAt: null,
            revokedAt: null,
            createdAt: now,
            version: 1,
          };
          // Ownership first, committed before the target is asked (crash safety).
          await deps.uow.run((tx) => tx.targetGrants.insert(fresh));
          record = fresh;
        }
        await target.grant({ target: d.target, login: d.login });
        const effectiveAt = deps.clock.now();
        const after: TargetGrantRecord = {
          ...record,
          state: 'granted',
          effectiveAt: record.effectiveAt ?? effectiveAt,
          version: record.version + 1,
        };
        await deps.uow.run(async (tx) => {
          await tx.targetGrants.update(after, record.version);
          tx.events.record(system(tenantId), effectiveAt, grantApplied(c, after, item.drifted));
        });
        if (item.drifted) {
          deps.metrics?.driftFound(c.id, c.type, 'removed');
          result.driftRepaired += 1;
        } else {
          if (record.effectiveAt === null && after.approvedAt !== null)
            deps.metrics?.effective(c.id, c.type, Math.max(0, effectiveAt - after.approvedAt) / 1000);
          result.granted += 1;
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
      return deps.uow.run((tx) => tx.connectors.allEnabled());
    },
  };

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
