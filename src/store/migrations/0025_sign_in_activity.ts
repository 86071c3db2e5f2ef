import type { Kysely } from 'kysely';

/**
 * When each user last completed a sign-in (local or through a trusted external issuer), one row
 * per user, moved forward only. The stale sign-in alert reads it (docs/alerts.md); Graph shows it
 * as `signInActivity.lastSignInDateTime`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sign_in_activity')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('last_sign_in_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('sign_in_activity_pk', ['tenant_id', 'user_id'])
    .execute();
}
