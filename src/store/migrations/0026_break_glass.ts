import type { Kysely } from 'kysely';

/**
 * Break-glass (emergency access) accounts marked through the API, and every use of one (a completed
 * sign-in or a token refresh), which the account justifies afterwards (ADR 0033). A use stays
 * unjustified, and its "break-glass account used" incident open, until the account says why.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('break_glass_accounts')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('last_tested_at', 'bigint')
    .addPrimaryKeyConstraint('break_glass_accounts_pk', ['tenant_id', 'user_id'])
    .execute();
  await db.schema
    .createTable('break_glass_uses')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('used_at', 'bigint', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('justification', 'text')
    .addColumn('is_test', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('justified_at', 'bigint')
    .addPrimaryKeyConstraint('break_glass_uses_pk', ['tenant_id', 'id'])
    .execute();
  await db.schema
    .createIndex('break_glass_uses_user')
    .on('break_glass_uses')
    .columns(['tenant_id', 'user_id', 'used_at'])
    .execute();
}
