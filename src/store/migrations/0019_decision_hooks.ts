import type { Kysely } from 'kysely';

/**
 * Decision hooks (ADR 0025, docs/pim.md "Decision hooks"): `decision_hooks` holds each tenant's
 * external endpoints that validate tickets or decide approval stages, their signing secret sealed
 * with the data key. `pim_approval_steps.decision_hook_id` is the hook a stage named when the
 * request was made (a snapshot, like the stage's approvers); null when it names none.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('decision_hooks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('timeout_ms', 'integer', (c) => c.notNull())
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('secret_version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('modified_at', 'bigint', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('decision_hooks_tenant_idx')
    .on('decision_hooks')
    .columns(['tenant_id', 'id'])
    .execute();
  await db.schema.alterTable('pim_approval_steps').addColumn('decision_hook_id', 'text').execute();
}
