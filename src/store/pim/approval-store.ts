import type { Kysely } from 'kysely';
import type { ApprovalStepStore, ApprovalNotice } from '../../app/pim/ports.js';
import type {
  ApprovalDecision,
  ApprovalStep,
  ApproverRef,
  ReviewResult,
  StepRecordedStatus,
} from '../../domain/pim/approval.js';
import { DAY_MS } from '../../domain/pim/approval.js';
import { expectOneRow } from '../cas.js';
import { codecs } from '../codecs.js';
import { uniqueOrConflict } from '../errors.js';
import type { PimApprovalStepRow } from './rows.js';
import type { Database } from '../schema.js';

const time = codecs.optionalTime;

const toRow = (s: ApprovalStep): PimApprovalStepRow => ({
  id: s.id,
  tenant_id: s.tenantId,
  approval_id: s.approvalId,
  stage_index: s.stageIndex,
  status: s.status,
  review_result: s.reviewResult,
  reviewed_by_id: s.reviewedById,
  reviewed_at: time.encode(s.reviewedAt),
  justification: s.justification,
  is_justification_required: codecs.bool.encode(s.isJustificationRequired),
  has_default_approvers: codecs.bool.encode(s.approvers.length === 0),
  timeout_days: s.timeoutDays,
  started_at: time.encode(s.startedAt),
  deadline_at: time.encode(s.deadlineAt),
  version: s.version,
  quorum: s.quorum,
  timeout_ms: s.timeoutMs,
  escalation_after_ms: s.escalationAfterMs,
  escalation_at: time.encode(s.escalationAt),
  escalated_at: time.encode(s.escalatedAt),
  reminder_before_ms: s.reminderBeforeMs,
  reminder_at: time.encode(s.reminderAt),
  reminded_at: time.encode(s.remindedAt),
  starts_at_approval: codecs.bool.encode(s.startsAtApproval),
  decision_hook_id: s.decisionHookId,
});

const optionalNumber = (v: number | string | null): number | null => (v === null ? null : Number(v));

/** Approval stages over `pim_approval_steps`, `pim_approval_approvers` and `pim_approval_decisions`. */
export function approvalStepStore(db: Kysely<Database>): ApprovalStepStore {
  return {
    async insert(steps) {
      if (steps.length === 0) return;
      await db.insertInto('pim_approval_steps').values(steps.map(toRow)).execute();
      const approvers = steps.flatMap((s) => [
        ...s.approvers.map((a) => ({
          step_id: s.id,
          approver_type: a.type,
          approver_id: a.id,
          approver_role: 'primary',
        })),
        ...s.escalationApprovers.map((a) => ({
          step_id: s.id,
          approver_type: a.type,
          approver_id: a.id,
          approver_role: 'escalation',
        })),
      ]);
      if (approvers.length > 0) await db.insertInto('pim_approval_approvers').values(approvers).execute();
    },

    async list(tenantId, approvalId) {
      const rows = await db
        .selectFrom('pim_approval_steps')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('approval_id', '=', approvalId)
        .orderBy('stage_index')
        .execute();
      if (rows.length === 0) return [];
      const ids = rows.map((r) => r.id);
      const approvers = await db
        .selectFrom('pim_approval_approvers')
        .selectAll()
        .where('step_id', 'in', ids)
        .orderBy('approver_type')
        .orderBy('approver_id')
        .execute();
      const decisions = await db
        .selectFrom('pim_approval_decisions')
        .selectAll()
        .where('step_id', 'in', ids)
        .orderBy('decided_at')
        .orderBy('approver_id')
        .execute();
      const refs = (stepId: string, role: string): ApproverRef[] =>
        approvers
          .filter((a) => a.step_id === stepId && a.approver_role === role)
          .map((a) => ({ type: a.approver_type === 'group' ? 'group' : 'user', id: a.approver_id }));
      return rows.map((r): ApprovalStep => ({
        id: r.id,
        tenantId: r.tenant_id,
        approvalId: r.approval_id,
        stageIndex: Number(r.stage_index),
        status: r.status as StepRecordedStatus,
        reviewResult: r.review_result as ReviewResult,
        reviewedById: r.reviewed_by_id,
        reviewedAt: time.decode(r.reviewed_at),
        justification: r.justification,
        isJustificationRequired: codecs.bool.decode(r.is_justification_required),
        approvers: refs(r.id, 'primary'),
        escalationApprovers: refs(r.id, 'escalation'),
        quorum: Number(r.quorum),
        timeoutDays: Number(r.timeout_days),
        timeoutMs: optionalNumber(r.timeout_ms) ?? Number(r.timeout_days) * DAY_MS,
        escalationAfterMs: optionalNumber(r.escalation_after_ms),
        escalationAt: time.decode(r.escalation_at),
        escalatedAt: time.decode(r.escalated_at),
        reminderBeforeMs: optionalNumber(r.reminder_before_ms),
        reminderAt: time.decode(r.reminder_at),
        remindedAt: time.decode(r.reminded_at),
        startsAtApproval: codecs.bool.decode(r.starts_at_approval),
        decisionHookId: r.decision_hook_id ?? null,
        startedAt: time.decode(r.started_at),
        deadlineAt: time.decode(r.deadline_at),
        decisions: decisions
          .filter((d) => d.step_id === r.id)
          .map((d): ApprovalDecision => ({
            approverId: d.approver_id,
            reviewResult: d.review_result === 'Denied' ? 'Denied' : 'Approved',
            justification: d.justification,
            approvedDuration: d.approved_duration,
            decidedAt: Number(d.decided_at),
          })),
        version: Number(r.version),
      }));
    },

    async update(step, expectedVersion) {
      const row = toRow(step);
      const res = await db
        .updateTable('pim_approval_steps')
        .set({
          status: row.status,
          review_result: row.review_result,
          reviewed_by_id: row.reviewed_by_id,
          reviewed_at: row.reviewed_at,
          justification: row.justification,
          started_at: row.started_at,
          deadline_at: row.deadline_at,
          escalation_at: row.escalation_at,
          reminder_at: row.reminder_at,
          version: expectedVersion + 1,
        })
        .where('id', '=', step.id)
        .where('tenant_id', '=', step.tenantId)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      expectOneRow(res);
    },

    async addDecision(stepId, d) {
      await uniqueOrConflict(
        db
          .insertInto('pim_approval_decisions')
          .values({
            step_id: stepId,
            approver_id: d.approverId,
            review_result: d.reviewResult,
            justification: d.justification,
            approved_duration: d.approvedDuration,
            decided_at: d.decidedAt,
          })
          .execute(),
        'This approver has already decided this approval stage.',
      );
    },

    async dueNotices(kind, now, limit) {
      const at = kind === 'escalation' ? 's.escalation_at' : 's.reminder_at';
      const done = kind === 'escalation' ? 's.escalated_at' : 's.reminded_at';
      const rows = await db
        .selectFrom('pim_approval_steps as s')
        .innerJoin('pim_schedule_requests as r', 'r.id', 's.approval_id')
        .select(['s.id as stepId', 's.tenant_id as tenantId', 's.approval_id as approvalId'])
        .where('s.status', '=', 'InProgress')
        .where(at, '<=', now)
        .where(done, 'is', null)
        .where('s.deadline_at', '>', now)
        .where('r.status', '=', 'PendingApproval')
        .where('r.approval_deadline_at', '>', now)
        .orderBy(at)
        .limit(limit)
        .execute();
      return rows.map((r): ApprovalNotice => ({ ...r, kind }));
    },

    async claimNotice(notice, now) {
      const res =
        notice.kind === 'escalation'
          ? await db
              .updateTable('pim_approval_steps')
              .set({ escalated_at: now })
              .where('id', '=', notice.stepId)
              .where('escalated_at', 'is', null)
              .executeTakeFirst()
          : await db
              .updateTable('pim_approval_steps')
              .set({ reminded_at: now })
              .where('id', '=', notice.stepId)
              .where('reminded_at', 'is', null)
              .executeTakeFirst();
      return res.numUpdatedRows === 1n;
    },
  };
}
