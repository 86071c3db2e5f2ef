import { formatDateTime } from '../../domain/time/datetime.js';
import { SYSTEM_INITIATOR } from '../../domain/audit/draft.js';
import type { DomainEvent } from '../../domain/events/domain-event.js';
import type { UnitOfWork } from '../ports.js';
import type { Stores } from '../ports.js';
import { expiredActivity, PIM_ACTIVITIES } from '../../domain/pim/activities.js';
import { approvalEvent, scheduleExpired } from '../../domain/pim/pim-events.js';
import type { Actor } from '../events/ports.js';
import { subjectOf } from './principals.js';

const system = (tenantId: string): Actor => ({ tenantId, initiatedBy: SYSTEM_INITIATOR });

/**
 * Records what time already decided (invariant 2): schedules whose window ended by `now` get status
 * `Expired` and an audit entry (`Remove member from role (PIM activation expired)` for activations,
 * `Remove eligible member from role in PIM completed (timebound)` / `Remove member from role in PIM
 * completed (timebound)` for assignments made by an administrator), in one transaction per batch.
 * Reads never wait for this: they filter by `start <= now < end` themselves.
 *
 * Activation requests whose approval stage timed out read `Denied` from their deadline on; this
 * records it too (status, the stage `Expired`, `PIM activation request expired`).
 *
 * Each schedule is claimed by compare-and-set on its unrecorded end (`claimExpired`), so running it
 * twice, or on two replicas at once, records each expiry exactly once.
 */
export function makeExpiryRecorder(deps: { uow: UnitOfWork }) {
  return {
    /** Records up to `limit` expiries at `now`; returns how many it recorded. */
    async recordBatch(now: number, limit: number): Promise<number> {
      return deps.uow.run(async (tx) => {
        const claimed = await tx.schedules.claimExpired(now, limit);
        const roleNames = new Map<string, string | null>();
        for (const s of claimed) {
          const roleKey = `${s.tenantId}/${s.roleDefinitionId}`;
          if (!roleNames.has(roleKey)) {
            const role = await tx.roleDefinitions.get(s.tenantId, s.roleDefinitionId);
            roleNames.set(roleKey, role?.displayName ?? null);
          }
          const subject = await subjectOf(
            tx,
            s.tenantId,
            s.kind,
            s.roleDefinitionId,
            s.principalId,
            s.principalType,
            { roleName: roleNames.get(roleKey) ?? null },
          );
          const event: DomainEvent = scheduleExpired(subject, s, expiredActivity(s.kind, s.assignmentType));
          tx.events.record(system(s.tenantId), now, event);
        }
        return claimed.length + (await recordTimedOutApprovals(tx, now, limit));
      });
    },
  };
}

/**
 * Records activation requests whose approval timed out by `now` (claimed by compare-and-set on
 * their status, so two sweepers record each once): the waiting stage becomes `Expired` and the
 * entry `PIM activation request expired` is recorded, initiated by the system.
 */
async function recordTimedOutApprovals(tx: Stores, now: number, limit: number) {
  const claimed = await tx.scheduleRequests.claimTimedOutApprovals(now, limit);
  for (const r of claimed) {
    const steps = await tx.approvalSteps.list(r.tenantId, r.id);
    const waiting = steps.find((s) => s.status === 'InProgress');
    if (waiting !== undefined)
      await tx.approvalSteps.update({ ...waiting, status: 'Expired' }, waiting.version);
    const deadline = r.approvalDeadline ?? now;
    const subject = await subjectOf(tx, r.tenantId, 'assignment', r.roleDefinitionId, r.principalId);
    tx.events.record(
      system(r.tenantId),
      now,
      approvalEvent(subject, {
        type: 'pim.approvalTimedOut',
        activity: PIM_ACTIVITIES.activationRequestExpired,
        request: { ...r, status: 'Denied', completedAt: deadline },
        status: 'Denied',
        justification: null,
        window: r.scheduleInfo === null ? null : { start: r.scheduleInfo.startDateTime, end: null },
        details: [
          { key: 'ApprovalStage', value: String((waiting?.stageIndex ?? 0) + 1) },
          { key: 'ApprovalDeadline', value: formatDateTime(deadline) },
        ],
      }),
    );
  }
  return claimed.length;
}
