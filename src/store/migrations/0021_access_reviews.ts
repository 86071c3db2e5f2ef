import type { Kysely } from 'kysely';

/**
 * Access reviews (docs/access-reviews.md, ADR 0025) and users' managers.
 * - `user_managers`: one manager per user (`PUT /users/{id}/manager/$ref`).
 * - `access_review_definitions`: Graph's `accessReviewScheduleDefinition`; scope, reviewers and
 *   settings as JSON (read whole, never queried by field).
 * - `access_review_instances`: one per definition and period, unique on (definition, period start)
 *   so that two replicas creating the same period make one row. `status` holds what time does not
 *   decide (`Completed` recorded, `Applying`, `Applied`, stopped); NotStarted/InProgress are read
 *   from the clock.
 * - `access_review_decisions`: the decision items snapshotted when the instance is created.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('user_managers')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('manager_id', 'text', (c) => c.notNull())
    .addColumn('modified_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_managers_pk', ['tenant_id', 'user_id'])
    .execute();
  await db.schema
    .createIndex('user_managers_by_manager')
    .on('user_managers')
    .columns(['tenant_id', 'manager_id'])
    .execute();

  await db.schema
    .createTable('access_review_definitions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('modified_at', 'bigint', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('access_review_definitions_by_tenant')
    .on('access_review_definitions')
    .columns(['tenant_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('access_review_instances')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('definition_id', 'text', (c) => c.notNull())
    .addColumn('period_start', 'bigint', (c) => c.notNull())
    .addColumn('start_at', 'bigint', (c) => c.notNull())
    .addColumn('end_at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'bigint')
    .addColumn('applied_at', 'bigint')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addUniqueConstraint('access_review_instances_period', ['definition_id', 'period_start'])
    .execute();
  await db.schema
    .createIndex('access_review_instances_by_tenant')
    .on('access_review_instances')
    .columns(['tenant_id', 'status', 'end_at'])
    .execute();

  await db.schema
    .createTable('access_review_decisions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('instance_id', 'text', (c) => c.notNull())
    .addColumn('principal_id', 'text', (c) => c.notNull())
    .addColumn('principal_type', 'text', (c) => c.notNull())
    .addColumn('role_definition_id', 'text', (c) => c.notNull())
    .addColumn('directory_scope_id', 'text', (c) => c.notNull())
    .addColumn('schedule_kind', 'text', (c) => c.notNull())
    .addColumn('schedule_id', 'text', (c) => c.notNull())
    .addColumn('recommendation', 'text', (c) => c.notNull())
    .addColumn('last_activation_at', 'bigint')
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('justification', 'text')
    .addColumn('reviewed_by', 'text')
    .addColumn('reviewed_at', 'bigint')
    .addColumn('apply_result', 'text', (c) => c.notNull())
    .addColumn('applied_by', 'text')
    .addColumn('applied_at', 'bigint')
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('access_review_decisions_by_instance')
    .on('access_review_decisions')
    .columns(['instance_id', 'principal_id'])
    .execute();
}
