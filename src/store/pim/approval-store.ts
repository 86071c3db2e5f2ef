import type { Kysely } from 'kysely';
import type { ApprovalStepStore } from '../../app/pim/ports.js';
import type { ApprovalStep, ReviewResult, StepRecordedStatus } from '../../domain/pim/approval.js';
import { expectOneRow } from '../cas.js';
import { codecs } from '../codecs.js';
import type { PimApprovalStepRow } from './rows.js';
import type { Database } from '../schema.js';

const toRow = (s: ApprovalStep): PimApprovalStepRow => ({
  id: s.id,
  tenant_id: s.tenantId,
  approval_id: s.approvalId,
  stage_index: s.stageIndex,
  status: s.status,
  review_result: s.reviewResult,
  reviewed_by_id: s.reviewedById,
  reviewed_at: codecs.optionalTime.encode(s.reviewedAt),
  justification: s.justification,
  is_justification_required: codecs.bool.encode(s.isJustificationRequired),
  has_default_approvers: codecs.bool.encode(s.approvers.length === 0),
  timeout_days: s.timeoutDays,
  started_at: codecs.optionalTime.encode(s.startedAt),
  deadline_at: codecs.optionalTime.encode(s.deadlineAt),
  version: s.version,
});

/** Approval stages over `pim_approval_steps` and `pim_approval_approvers` (migration 0007). */
export function approvalStepStore(db: Kysely<Database>): ApprovalStepStore {
  return {
    async insert(steps) {
      if (steps.length === 0) return;
      await db.insertInto('pim_approval_steps').values(steps.map(toRow)).execute();
      const approvers = steps.flatMap((s) =>
        s.approvers.map((a) => ({ step_id: s.id, approver_type: a.type, approver_id: a.id })),
      );
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
      const approvers = await db
        .selectFrom('pim_approval_approvers')
        .selectAll()
        .where(
          'step_id',
          'in',
          rows.map((r) => r.id),
        )
        .orderBy('approver_type')
        .orderBy('approver_id')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        tenantId: r.tenant_id,
        approvalId: r.approval_id,
        stageIndex: Number(r.stage_index),
        status: r.status as StepRecordedStatus,
        reviewResult: r.review_result as ReviewResult,
        reviewedById: r.reviewed_by_id,
        reviewedAt: codecs.optionalTime.decode(r.reviewed_at),
        justification: r.justification,
        isJustificationRequired: codecs.bool.decode(r.is_justification_required),
        approvers: approvers
          .filter((a) => a.step_id === r.id)
          .map((a) => ({ type: a.approver_type === 'group' ? 'group' : 'user', id: a.approver_id })),
        timeoutDays: Number(r.timeout_days),
        startedAt: codecs.optionalTime.decode(r.started_at),
        deadlineAt: codecs.optionalTime.decode(r.deadline_at),
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
          version: expectedVersion + 1,
        })
        .where('id', '=', step.id)
        .where('tenant_id', '=', step.tenantId)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      expectOneRow(res);
    },
  };
}
