import { sql, type Kysely } from 'kysely';

/**
 * Authentication contexts (docs/adr/0021-authentication-contexts.md): Graph's
 * `authenticationContextClassReference` per tenant (`id` c1…c99), with the requirement Elevate
 * enforces (`requirement`, JSON text). Existing tenants get the built-in phishing-resistant `c1`
 * here, as a new tenant gets it at provisioning; no role uses it until a role setting names it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('authentication_contexts')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('is_available', 'integer', (c) => c.notNull())
    .addColumn('requirement', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('modified_at', 'bigint', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('authentication_contexts_pk', ['tenant_id', 'id'])
    .execute();

  // The built-in context, as BUILT_IN_PHISHING_RESISTANT defines it today (a migration never changes).
  const requirement = JSON.stringify({
    authenticationStrength: 'phishingResistant',
    maxAgeMinutes: 10,
    externalAcrValues: [],
  });
  await sql`
    insert into authentication_contexts
      (tenant_id, id, display_name, description, is_available, requirement, created_at, modified_at, version)
    select id, 'c1', 'Phishing-resistant MFA',
      'A passkey or FIDO2 security key with user verification, within the last 10 minutes.',
      1, ${requirement}, created_at, created_at, 1
    from tenants`.execute(db);
}
