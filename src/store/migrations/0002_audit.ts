import type { Kysely } from 'kysely';

/**
 * The audit log: one hash chain per tenant (`audit_entries`, positioned by `audit_head`), the
 * target ids that `targetResources/any(…)` filters on, signed checkpoints, and the Ed25519 keys
 * that sign them (private halves sealed). See docs/adr/0005-audit-chain-serialization.md.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('audit_entries')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('activity_at', 'bigint', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('activity_display_name', 'text', (c) => c.notNull())
    .addColumn('operation_type', 'text', (c) => c.notNull())
    .addColumn('logged_by_service', 'text', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('initiated_by_user_id', 'text')
    .addColumn('initiated_by_upn', 'text')
    .addColumn('initiated_by_app_id', 'text')
    .addColumn('correlation_id', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_entries_pk', ['tenant_id', 'seq'])
    .execute();
  await db.schema
    .createIndex('audit_entries_time_idx')
    .on('audit_entries')
    .columns(['tenant_id', 'activity_at'])
    .execute();
  await db.schema
    .createIndex('audit_entries_activity_idx')
    .on('audit_entries')
    .columns(['tenant_id', 'activity_display_name'])
    .execute();
  await db.schema
    .createIndex('audit_entries_user_idx')
    .on('audit_entries')
    .columns(['tenant_id', 'initiated_by_user_id'])
    .execute();

  await db.schema
    .createTable('audit_targets')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text')
    .addPrimaryKeyConstraint('audit_targets_pk', ['tenant_id', 'seq', 'target_id'])
    .addForeignKeyConstraint(
      'audit_targets_entry_fk',
      ['tenant_id', 'seq'],
      'audit_entries',
      ['tenant_id', 'seq'],
      (fk) => fk.onDelete('cascade').onUpdate('cascade'),
    )
    .execute();
  await db.schema
    .createIndex('audit_targets_target_idx')
    .on('audit_targets')
    .columns(['tenant_id', 'target_id'])
    .execute();

  await db.schema
    .createTable('audit_head')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('audit_checkpoints')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('head_hash', 'text', (c) => c.notNull())
    .addColumn('signed_at', 'bigint', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('signature', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_checkpoints_pk', ['tenant_id', 'seq'])
    .execute();

  await db.schema
    .createTable('audit_signing_keys')
    .addColumn('key_id', 'text', (c) => c.primaryKey())
    .addColumn('alg', 'text', (c) => c.notNull())
    .addColumn('private_key_enc', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}
