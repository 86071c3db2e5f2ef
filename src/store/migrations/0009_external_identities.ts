import type { Kysely } from 'kysely';

/**
 * Trusted external issuers: which external identity (issuer id + the token's `sub`) is which
 * directory user. One external identity maps to one user (primary key); a user may have several
 * (one per issuer, or more). Deleting the user removes the links (foreign key, cascade).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('external_identities')
    .addColumn('issuer_id', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_sign_in_at', 'bigint')
    .addPrimaryKeyConstraint('external_identities_pk', ['issuer_id', 'subject'])
    .execute();
  await db.schema
    .createIndex('external_identities_user')
    .on('external_identities')
    .column('user_id')
    .execute();
}
