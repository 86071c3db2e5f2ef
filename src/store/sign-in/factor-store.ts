import type { Kysely } from 'kysely';
import type { FactorStore, TotpFactor } from '../../app/sign-in/ports.js';
import type { Database } from '../schema.js';

const TOTP = 'totp';

export function factorStore(db: Kysely<Database>): FactorStore {
  return {
    async getTotp(userId) {
      const r = await db
        .selectFrom('user_factors')
        .selectAll()
        .where('user_id', '=', userId)
        .where('kind', '=', TOTP)
        .executeTakeFirst();
      if (r === undefined) return undefined;
      return {
        userId: r.user_id,
        tenantId: r.tenant_id,
        sealedSeed: r.secret_enc,
        confirmed: r.confirmed === 1,
        lastUsedStep: r.last_used_step === null ? null : Number(r.last_used_step),
        createdAt: Number(r.created_at),
      } satisfies TotpFactor;
    },
    async putTotp(f) {
      const values = {
        tenant_id: f.tenantId,
        secret_enc: f.sealedSeed,
        confirmed: f.confirmed ? 1 : 0,
        last_used_step: f.lastUsedStep,
        created_at: f.createdAt,
      };
      await db
        .insertInto('user_factors')
        .values({ user_id: f.userId, kind: TOTP, ...values })
        .onConflict((oc) => oc.columns(['user_id', 'kind']).doUpdateSet(values))
        .execute();
    },
    async useTotpStep(userId, step) {
      const r = await db
        .updateTable('user_factors')
        .set({ last_used_step: step, confirmed: 1 })
        .where('user_id', '=', userId)
        .where('kind', '=', TOTP)
        .where((eb) => eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', step)]))
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async deleteTotp(userId) {
      const r = await db
        .deleteFrom('user_factors')
        .where('user_id', '=', userId)
        .where('kind', '=', TOTP)
        .executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },
    async deleteAll(userId) {
      const totp = await db.deleteFrom('user_factors').where('user_id', '=', userId).executeTakeFirst();
      const passkeys = await db
        .deleteFrom('webauthn_credentials')
        .where('user_id', '=', userId)
        .executeTakeFirst();
      const codes = await db.deleteFrom('recovery_codes').where('user_id', '=', userId).executeTakeFirst();
      await db.deleteFrom('webauthn_challenges').where('user_id', '=', userId).execute();
      // Recovery codes count as one method, however many there were.
      return (
        Number(totp.numDeletedRows) +
        Number(passkeys.numDeletedRows) +
        Math.min(1, Number(codes.numDeletedRows))
      );
    },
  };
}

export function signInThrottleStore(db: Kysely<Database>) {
  return {
    async get(key: string) {
      const r = await db.selectFrom('sign_in_throttle').selectAll().where('key', '=', key).executeTakeFirst();
      return r === undefined
        ? undefined
        : {
            failures: r.failures,
            blockedUntil: Number(r.blocked_until),
            lastFailureAt: Number(r.updated_at),
          };
    },
    async put(key: string, state: { failures: number; blockedUntil: number }, now: number) {
      const values = { failures: state.failures, blocked_until: state.blockedUntil, updated_at: now };
      await db
        .insertInto('sign_in_throttle')
        .values({ key, ...values })
        .onConflict((oc) => oc.column('key').doUpdateSet(values))
        .execute();
    },
    async clear(key: string) {
      await db.deleteFrom('sign_in_throttle').where('key', '=', key).execute();
    },
  };
}
