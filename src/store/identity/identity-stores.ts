import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type {
  AccountDirectory,
  ClientDirectory,
  SigningKeyRecord,
  SigningKeyStore,
  TenantDirectory,
} from '../../identity/ports.js';
import { codecs } from '../codecs.js';
import type { Database } from '../schema.js';
import type { SecretBox } from '../secret-box.js';
import { servicePrincipalStore } from '../directory/service-principal-store.js';
import { systemStateStore } from '../system-state-store.js';

/** Signing keys with the private half sealed under the data key (DESIGN.md invariant 9). */
export function signingKeyStore(db: Kysely<Database>, box: SecretBox): SigningKeyStore {
  return {
    async list() {
      const rows = await db.selectFrom('signing_keys').selectAll().orderBy('created_at').execute();
      return rows.map((r): SigningKeyRecord => ({
        kid: r.kid,
        alg: 'ES256',
        privateJwk: JSON.parse(
          box.open(r.private_jwk_enc, `signing-key:${r.kid}`),
        ) as SigningKeyRecord['privateJwk'],
        publicJwk: JSON.parse(r.public_jwk) as SigningKeyRecord['publicJwk'],
        status: r.status,
        createdAtMs: codecs.time.decode(r.created_at),
      }));
    },
    async insert(k) {
      await db
        .insertInto('signing_keys')
        .values({
          kid: k.kid,
          alg: k.alg,
          private_jwk_enc: box.seal(JSON.stringify(k.privateJwk), `signing-key:${k.kid}`),
          public_jwk: JSON.stringify(k.publicJwk),
          status: k.status,
          created_at: codecs.time.encode(k.createdAtMs),
        })
        .execute();
    },
    async retire(kid) {
      await db.updateTable('signing_keys').set({ status: 'retired' }).where('kid', '=', kid).execute();
    },
  };
}

/** Tenants by id, for the token endpoint's "tenant not found" (ids are lower-case GUIDs). */
export function tenantDirectory(db: Kysely<Database>): TenantDirectory {
  return {
    async exists(tenantId) {
      if (!/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(tenantId))
        return false;
      const row = await db
        .selectFrom('tenants')
        .select('id')
        .where('id', '=', tenantId.toLowerCase())
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}

/** Applications as the token endpoint sees them: read live on every token request. */
export function clientDirectory(db: Kysely<Database>): ClientDirectory {
  const sps = servicePrincipalStore(db);
  return {
    async findByAppId(appId) {
      if (!/^[0-9a-fA-F-]{36}$/.test(appId)) return undefined;
      const sp = await sps.getByAppId(appId);
      if (!sp) return undefined;
      const secrets = await sps.passwords(sp.id);
      return {
        servicePrincipalId: sp.id,
        tenantId: sp.tenantId,
        appId: sp.appId,
        displayName: sp.displayName,
        accountEnabled: sp.accountEnabled,
        appPermissions: sp.appPermissions,
        secrets: secrets.map((s) => ({ keyId: s.keyId, secretHash: s.secretHash, endDateTimeMs: s.endAt })),
      };
    },
  };
}

/** People as the authorization server sees them: read live for every token. */
export function accountDirectory(db: Kysely<Database>): AccountDirectory {
  return {
    async findById(userId) {
      if (!/^[0-9a-f-]{36}$/.test(userId)) return undefined;
      const r = await db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
      if (r === undefined) return undefined;
      return {
        userId: r.id,
        tenantId: r.tenant_id,
        userPrincipalName: r.user_principal_name,
        displayName: r.display_name,
        accountEnabled: r.account_enabled === 1,
      };
    },
  };
}

/**
 * The key that signs oidc-provider's cookies: created once (first replica wins), sealed under the
 * data key, so every replica accepts the cookies of the others.
 */
export async function cookieSigningKeys(
  db: Kysely<Database>,
  box: SecretBox,
  now: number,
): Promise<string[]> {
  const key = 'identity.cookie-key';
  const systemState = systemStateStore(db);
  await systemState.insertOnce(key, box.seal(randomBytes(32).toString('base64url'), key), now);
  const sealed = await systemState.get(key);
  if (sealed === undefined) throw new Error('cookie key missing after insert');
  return [box.open(sealed, key)];
}
