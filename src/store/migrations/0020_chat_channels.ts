import type { Kysely } from 'kysely';

/**
 * Slack and Teams channels, and approval links (docs/notifications.md, ADR "approval links").
 *
 * `notification_chat_channels`: incoming-webhook channels per tenant (`kind` slack or teams), the
 * webhook URL sealed (it is the channel's only credential), its host kept apart for display, an
 * event-type filter as JSON text.
 * `approval_link_uses`: the id of each approval link that recorded a decision; the primary key
 * makes a link single-use. Rows are kept until the link's expiry has passed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('notification_chat_channels')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('url_sealed', 'text', (c) => c.notNull())
    .addColumn('url_host', 'text', (c) => c.notNull())
    .addColumn('event_types', 'text', (c) => c.notNull())
    .addColumn('is_enabled', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('modified_at', 'bigint', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('notification_chat_channels_tenant_idx')
    .on('notification_chat_channels')
    .columns(['tenant_id', 'id'])
    .execute();

  await db.schema
    .createTable('approval_link_uses')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('approver_id', 'text', (c) => c.notNull())
    .addColumn('used_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
}
