import type { Kysely } from 'kysely';

/**
 * Approvals completed (docs/adr/0022-approval-quorum-escalation.md).
 *
 * `pim_approval_steps` gains what a stage snapshots besides its days: the approvals it needs
 * (`quorum`, default 1), its timeout in milliseconds (`timeout_ms`; rows from before keep null and
 * read `timeout_days`), escalation (`escalation_after_ms` from the stage's start, `escalation_at`
 * once started, `escalated_at` once the sweeper recorded it), the reminder (`reminder_before_ms`
 * before the deadline, `reminder_at`, `reminded_at`) and whether the activation's clock starts at
 * the final approval (`starts_at_approval`).
 * `pim_approval_approvers.approver_role`: `primary`, or `escalation` (may decide from
 * `escalation_at` on).
 * `pim_approval_decisions`: one row per approver and stage (the primary key makes "each approver
 * counts once" hold under concurrency), with the duration the approver shortened the request to.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('pim_approval_steps')
    .addColumn('quorum', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  for (const column of [
    'timeout_ms',
    'escalation_after_ms',
    'escalation_at',
    'escalated_at',
    'reminder_before_ms',
    'reminder_at',
    'reminded_at',
  ]) {
    await db.schema.alterTable('pim_approval_steps').addColumn(column, 'bigint').execute();
  }
  await db.schema
    .alterTable('pim_approval_steps')
    .addColumn('starts_at_approval', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .alterTable('pim_approval_approvers')
    .addColumn('approver_role', 'text', (c) => c.notNull().defaultTo('primary'))
    .execute();

  await db.schema
    .createTable('pim_approval_decisions')
    .addColumn('step_id', 'text', (c) => c.notNull())
    .addColumn('approver_id', 'text', (c) => c.notNull())
    .addColumn('review_result', 'text', (c) => c.notNull())
    .addColumn('justification', 'text')
    .addColumn('approved_duration', 'text')
    .addColumn('decided_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('pim_approval_decisions_pk', ['step_id', 'approver_id'])
    .execute();
}
