import type { Kysely } from 'kysely';
import type {
  PasskeyCredential,
  PasskeyStore,
  RecoveryCodeStore,
  WebAuthnChallengeStore,
} from '../../app/sign-in/method-ports.js';
import { codecs } from '../codecs.js';
import type { Database, WebAuthnCredentialRow } from '../schema.js';

const toPasskey = (r: WebAuthnCredentialRow): PasskeyCredential => ({
  id: r.id,
  credentialId: r.credential_id,
  userId: r.user_id,
  tenantId: r.tenant_id,
  displayName: r.display_name,
  publicKey: r.public_key,
  counter: Number(r.counter),
  transports: codecs.json.decode<string[]>(r.transports),
  aaguid: r.aaguid,
  backupEligible: codecs.bool.decode(r.backup_eligible),
  backedUp: codecs.bool.decode(r.backed_up),
  createdAt: codecs.time.decode(r.created_at),
  lastUsedAt: codecs.optionalTime.decode(r.last_used_at),
});

export function passkeyStore(db: Kysely<Database>): PasskeyStore {
  return {
    async listForUser(userId) {
      const rows = await db
        .selectFrom('webauthn_credentials')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toPasskey);
    },
    async getByCredentialId(credentialId) {
      const r = await db
        .selectFrom('webauthn_credentials')
        .selectAll()
        .where('credential_id', '=', credentialId)
        .executeTakeFirst();
      return r === undefined ? undefined : toPasskey(r);
    },
    async insert(c) {
      await db
        .insertInto('webauthn_credentials')
        .values({
          id: codecs.id.encode(c.id),
          credential_id: c.credentialId,
          user_id: c.userId,
          tenant_id: c.tenantId,
          display_name: c.displayName,
          public_key: c.publicKey,
          counter: c.counter,
          transports: codecs.json.encode(c.transports),
          aaguid: c.aaguid,
          backup_eligible: codecs.bool.encode(c.backupEligible),
          backed_up: codecs.bool.encode(c.backedUp),
          created_at: codecs.time.encode(c.createdAt),
          last_used_at: codecs.optionalTime.encode(c.lastUsedAt),
        })
        .execute();
    },
    async recordUse(id, expectedCounter, next) {
      const r = await db
        .updateTable('webauthn_credentials')
        .set({
          counter: next.counter,
          backed_up: codecs.bool.encode(next.backedUp),
          last_used_at: codecs.time.encode(next.lastUsedAt),
        })
        .where('id', '=', id)
        .where('counter', '=', expectedCounter)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async delete(userId, id) {
      const r = await db
        .deleteFrom('webauthn_credentials')
        .where('user_id', '=', userId)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },
  };
}

export function webauthnChallengeStore(db: Kysely<Database>): WebAuthnChallengeStore {
  return {
    async insert(c, now) {
      await db.deleteFrom('webauthn_challenges').where('expires_at', '<=', now).execute();
      await db
        .insertInto('webauthn_challenges')
        .values({
          challenge: c.challenge,
          purpose: c.purpose,
          user_id: c.userId,
          interaction_uid: c.interactionUid,
          expires_at: codecs.time.encode(c.expiresAt),
        })
        .execute();
    },
    async find(challenge, purpose, now) {
      const r = await db
        .selectFrom('webauthn_challenges')
        .selectAll()
        .where('challenge', '=', challenge)
        .where('purpose', '=', purpose)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      if (r === undefined) return undefined;
      return {
        challenge: r.challenge,
        purpose,
        userId: r.user_id,
        interactionUid: r.interaction_uid,
        expiresAt: codecs.time.decode(r.expires_at),
      };
    },
    async consume(challenge, purpose, now) {
      const r = await db
        .deleteFrom('webauthn_challenges')
        .where('challenge', '=', challenge)
        .where('purpose', '=', purpose)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },
  };
}

export function recoveryCodeStore(db: Kysely<Database>): RecoveryCodeStore {
  return {
    async replace(userId, tenantId, codeHashes, now) {
      await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
      await db
        .insertInto('recovery_codes')
        .values(
          codeHashes.map((code_hash) => ({
            user_id: userId,
            code_hash,
            tenant_id: tenantId,
            used_at: null,
            created_at: codecs.time.encode(now),
          })),
        )
        .execute();
    },
    async summary(userId) {
      const rows = await db
        .selectFrom('recovery_codes')
        .select(['used_at', 'created_at'])
        .where('user_id', '=', userId)
        .execute();
      if (rows.length === 0) return undefined;
      return {
        remaining: rows.filter((r) => r.used_at === null).length,
        createdAt: Math.min(...rows.map((r) => codecs.time.decode(r.created_at))),
      };
    },
    async use(userId, codeHash, now) {
      const r = await db
        .updateTable('recovery_codes')
        .set({ used_at: codecs.time.encode(now) })
        .where('user_id', '=', userId)
        .where('code_hash', '=', codeHash)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
  };
}
