import { sql, type Kysely } from 'kysely';

/**
 * oidc-provider's artefacts are now stored with hashed ids (and hashed uid, user code and grant
 * id) and sealed payloads (src/store/identity/oidc-model-store.ts). Rows written before held the
 * bearer values in plain text and cannot be found under the new keys, so they are deleted: users
 * sign in again, and clients holding a refresh token start a new authorization. The table keeps
 * its shape.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`delete from oidc_models`.execute(db);
}
