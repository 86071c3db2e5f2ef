import type { Kysely } from 'kysely';

/**
 * Audit integrity beyond the database (docs/adr/0020-audit-publication.md):
 * - `audit_entries.chain_format`: how an entry's hash covers it. Entries already stored keep
 *   format 1 (payload only; verification checks their query columns against the payload); new
 *   entries are written in format 2, whose hash covers the query columns too. No stored hash or
 *   payload is rewritten.
 * - `audit_publish_cursors`: per publisher (a SIEM destination, the witness file or URL) and
 *   tenant, the seq of the last signed checkpoint it accepted, so a checkpoint signed just before
 *   a crash is published after the restart.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('audit_entries')
    .addColumn('chain_format', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .createTable('audit_publish_cursors')
    .addColumn('publisher_id', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_publish_cursors_pk', ['publisher_id', 'tenant_id'])
    .execute();
}
