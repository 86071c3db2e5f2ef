import type { Kysely } from 'kysely';

/**
 * PIM security alerts (docs/adr/0024-pim-security-alerts.md): one row per tenant and alert, made
 * on the first change (until then an alert reads its defaults). It holds the configuration
 * (`is_enabled`, thresholds as JSON in `settings`), and what the last scan found: `is_active`,
 * the incidents as JSON (each with its stable id and Graph fields), when it was scanned and when
 * its state last changed. `version` is the compare-and-set column.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('role_management_alerts')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('alert_name', 'text', (c) => c.notNull())
    .addColumn('is_enabled', 'integer', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('is_active', 'integer', (c) => c.notNull())
    .addColumn('incidents', 'text', (c) => c.notNull())
    .addColumn('incident_count', 'integer', (c) => c.notNull())
    .addColumn('last_scanned_at', 'bigint')
    .addColumn('last_modified_at', 'bigint')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('role_management_alerts_pk', ['tenant_id', 'alert_name'])
    .execute();
}
