import { formatDateTime } from '../../domain/time/datetime.js';
import { auditDraft, SYSTEM_INITIATOR } from '../../domain/audit/draft.js';
import type { AuditDraft } from '../../domain/audit/entry.js';
import type { UnitOfWork } from '../ports.js';
import type { Stores } from '../ports.js';
import { expiredActivity, PIM_ACTIVITIES } from '../../domain/pim/activities.js';
import { appendApprovalAudit } from './approval-audit.js';
import { loadPrincipal, pimTargets } from './audit-entries.js';

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
export function makeExpiryRecorder(deps: { uow: UnitOfWork; newId: () => string }) {
  return {
    /** Records up to `limit` expiries at `now`; returns how many it recorded. */
    async recordBatch(now: number, limit: number): Promise<number> {
      return deps.uow.run(async (tx) => {
        const claimed = await tx.schedules.claimExpired(now, limit);
        const roleNames = new Map<string, string | null>();
        const drafts: AuditDraft[] = [];
        for (const s of claimed) {
          const roleKey = `${s.tenantId}/${s.roleDefinitionId}`;
          if (!roleNames.has(roleKey)) {
            const role = await tx.roleDefinitions.get(s.tenantId, s.roleDefinitionId);
            roleNames.set(roleKey, role?.displayName ?? null);
          }
          const principal = await loadPrincipal(tx, s.tenantId, s.principalId, s.principalType);
          drafts.push(
            auditDraft({
              id: deps.newId(),
              tenantId: s.tenantId,
              now,
              activity: expiredActivity(s.kind, s.assignmentType),
              initiatedBy: SYSTEM_INITIATOR,
              targets: pimTargets({
                kind: s.kind,
                role: { id: s.roleDefinitionId, displayName: roleNames.get(roleKey) ?? null },
                principal: {
                  id: s.principalId,
                  type: s.principalType,
                  displayName: principal?.displayName ?? null,
                  userPrincipalName: principal?.userPrincipalName ?? null,
                },
                objectId: s.id,
                objectType: 'schedule',
                window: s.window,
                status: 'Expired',
                details: [],
              }),
              additionalDetails: [
                { key: 'ScheduleId', value: s.id },
                { key: 'CreatedUsing', value: s.createdUsing },
                ...(s.assignmentType === null ? [] : [{ key: 'AssignmentType', value: s.assignmentType }]),
                { key: 'MemberType', value: s.memberType },
              ],
            }),
          );
        }
        await tx.audit.appendMany(drafts);
        return claimed.length + (await recordTimedOutApprovals(tx, deps.newId, now, limit));
      });
    },
  };
}

/**
 * Records activation requests whose approval timed out by `now` (claimed by compare-and-set on
 * their status, so two sweepers record each once): the waiting stage becomes `Expired` and the
 * entry `PIM activation request expired` is appended, initiated by the system.
 */
async function recordTimedOutApprovals(tx: Stores, newId: () => string, now: number, limit: number) {
  const claimed = await tx.scheduleRequests.claimTimedOutApprovals(now, limit);
  for (const r of claimed) {
    const steps = await tx.approvalSteps.list(r.tenantId, r.id);
    const waiting = steps.find((s) => s.status === 'InProgress');
    if (waiting !== undefined)
      await tx.approvalSteps.update({ ...waiting, status: 'Expired' }, waiting.version);
    const deadline = r.approvalDeadline ?? now;
    await appendApprovalAudit(tx, newId, now, {
      activity: PIM_ACTIVITIES.activationRequestExpired,
      actor: null,
      request: { ...r, status: 'Denied', completedAt: deadline },
      status: 'Denied',
      window: r.scheduleInfo === null ? null : { start: r.scheduleInfo.startDateTime, end: null },
      details: [
        { key: 'ApprovalStage', value: String((waiting?.stageIndex ?? 0) + 1) },
        { key: 'ApprovalDeadline', value: formatDateTime(deadline) },
      ],
    });
  }
  return claimed.length;
}
