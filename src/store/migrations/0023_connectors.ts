import type { Kysely } from 'kysely';

/**
 * Connectors (ADR 0030, docs/connectors.md): `connectors` holds each tenant's target systems (the
 * password sealed with the data key); `connector_mappings` which role or group becomes which
 * target grant; `connector_grants` every grant Elevate made in a target (ownership: the reconciler
 * revokes only these) with the times the effective-time metrics come from; `connector_leases` one
 * row per connector, so one replica at a time reconciles it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('connectors')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('login_source', 'text', (c) => c.notNull())
    .addColumn('is_enabled', 'integer', (c) => c.notNull())
    .addColumn('secret_sealed', 'text')
    .addColumn('secret_version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('modified_at', 'bigint', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('connectors_tenant_idx')
    .on('connectors')
    .columns(['tenant_id', 'id'])
    .execute();
  await db.schema
    .createTable('connector_mappings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('connector_id', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('directory_scope_id', 'text', (c) => c.notNull())
    .addColumn('target_grant', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('connector_mappings_connector_idx')
    .on('connector_mappings')
    .columns(['connector_id'])
    .execute();
  await db.schema
    .createTable('connector_grants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('connector_id', 'text', (c) => c.notNull())
    .addColumn('mapping_id', 'text', (c) => c.notNull())
    .addColumn('principal_id', 'text', (c) => c.notNull())
    .addColumn('login', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('adopted', 'integer', (c) => c.notNull())
    .addColumn('schedule_id', 'text')
    .addColumn('requested_at', 'bigint')
    .addColumn('approved_at', 'bigint')
    .addColumn('effective_at', 'bigint')
    .addColumn('ended_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('connector_grants_connector_idx')
    .on('connector_grants')
    .columns(['connector_id', 'state'])
    .execute();
  await db.schema
    .createTable('connector_leases')
    .addColumn('connector_id', 'text', (c) => c.primaryKey())
    .addColumn('lease_holder', 'text')
    .addColumn('lease_expires_at', 'bigint', (c) => c.notNull())
    .execute();
}
