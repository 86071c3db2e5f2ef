import { sql, type Kysely } from 'kysely';

/**
 * PIM approvals for directory-role activations: the deadline of a pending request's current stage
 * on the request (reads compare it with their `now`, so a timed-out request stops being pending
 * without a job), one row per approval stage (a snapshot of the stage's settings taken when the
 * request was made, and its decision), and the stage's named approvers, one row each, so that
 * "which requests may I decide" is one indexed query.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('pim_schedule_requests').addColumn('approval_deadline_at', 'bigint').execute();
  await db.schema
    .createIndex('pim_requests_approval_deadline_idx')
    .on('pim_schedule_requests')
    .column('approval_deadline_at')
    .where(sql.ref('status'), '=', 'PendingApproval')
    .execute();

  await db.schema
    .createTable('pim_approval_steps')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('approval_id', 'text', (c) => c.notNull())
    .addColumn('stage_index', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('review_result', 'text', (c) => c.notNull())
    .addColumn('reviewed_by_id', 'text')
    .addColumn('reviewed_at', 'bigint')
    .addColumn('justification', 'text')
    .addColumn('is_justification_required', 'integer', (c) => c.notNull())
    .addColumn('has_default_approvers', 'integer', (c) => c.notNull())
    .addColumn('timeout_days', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'bigint')
    .addColumn('deadline_at', 'bigint')
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('pim_approval_steps_stage_uq')
    .on('pim_approval_steps')
    .columns(['approval_id', 'stage_index'])
    .unique()
    .execute();

  await db.schema
    .createTable('pim_approval_approvers')
    .addColumn('step_id', 'text', (c) => c.notNull())
    .addColumn('approver_type', 'text', (c) => c.notNull())
    .addColumn('approver_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('pim_approval_approvers_pk', ['step_id', 'approver_type', 'approver_id'])
    .execute();
  await db.schema
    .createIndex('pim_approval_approvers_approver_idx')
    .on('pim_approval_approvers')
    .columns(['approver_id', 'step_id'])
    .execute();
}
