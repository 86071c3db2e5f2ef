import type { Kysely } from 'kysely';
import { errors } from 'oidc-provider';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Clock } from '../../domain/time/clock.js';
import type { Database } from '../schema.js';

/**
 * oidc-provider's storage over the `oidc_models` table, one adapter per model name, so that a
 * session, an authorization code or a refresh token created on one replica is found on any other,
 * and consuming a code or rotating a refresh token is seen by all of them. Expired rows read as
 * absent; nothing here deletes them in the background (a cleanup job can prune `expires_at`).
 */
export function oidcModelAdapters(db: Kysely<Database>, clock: Clock): (model: string) => Adapter {
  const adapters = new Map<string, Adapter>();
  return (model) => {
    let adapter = adapters.get(model);
    if (adapter === undefined) {
      adapter = modelAdapter(db, clock, model);
      adapters.set(model, adapter);
    }
    return adapter;
  };
}

function modelAdapter(db: Kysely<Database>, clock: Clock, model: string): Adapter {
  const live = async (column: 'id' | 'uid' | 'user_code', value: string) => {
    const row = await db
      .selectFrom('oidc_models')
      .select(['payload', 'expires_at', 'consumed_at'])
      .where('model', '=', model)
      .where(column, '=', value)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    if (row.expires_at !== null && clock.now() >= Number(row.expires_at)) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload;
    if (row.consumed_at !== null) payload.consumed = Math.floor(Number(row.consumed_at) / 1000);
    return payload;
  };
  return {
    async upsert(id, payload, expiresIn) {
      const values = {
        payload: JSON.stringify(payload),
        grant_id: typeof payload.grantId === 'string' ? payload.grantId : null,
        user_code: typeof payload.userCode === 'string' ? payload.userCode : null,
        uid: typeof payload.uid === 'string' ? payload.uid : null,
        expires_at: expiresIn === undefined ? null : clock.now() + expiresIn * 1000,
      };
      await db
        .insertInto('oidc_models')
        .values({ model, id, consumed_at: null, ...values })
        .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet(values))
        .execute();
    },
    find: (id) => live('id', id),
    findByUid: (uid) => live('uid', uid),
    findByUserCode: (userCode) => live('user_code', userCode),
    // Compare-and-set: oidc-provider checks `consumed` and then calls this, so two replicas
    // redeeming one code (or refresh token) at once would both pass the check; only one of them
    // marks it here, the other is refused before any token is issued.
    async consume(id) {
      const r = await db
        .updateTable('oidc_models')
        .set({ consumed_at: clock.now() })
        .where('model', '=', model)
        .where('id', '=', id)
        .where('consumed_at', 'is', null)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) throw new errors.InvalidGrant(`${model} already used`);
    },
    async destroy(id) {
      await db.deleteFrom('oidc_models').where('model', '=', model).where('id', '=', id).execute();
    },
    async revokeByGrantId(grantId) {
      await db.deleteFrom('oidc_models').where('model', '=', model).where('grant_id', '=', grantId).execute();
    },
  };
}
