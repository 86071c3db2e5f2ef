import type { Kysely } from 'kysely';
import type { SignInActivityStore } from '../../app/sign-in/ports.js';
import { codecs } from '../codecs.js';
import type { Database } from '../schema.js';

export interface SignInActivityRow {
  tenant_id: string;
  user_id: string;
  last_sign_in_at: number;
}

declare module '../schema.js' {
  interface Database {
    sign_in_activity: SignInActivityRow;
  }
}

export function signInActivityStore(db: Kysely<Database>): SignInActivityStore {
  return {
    async record(tenantId, userId, at) {
      const key = { tenant_id: codecs.id.encode(tenantId), user_id: codecs.id.encode(userId) };
      // Forward only: a sign-in recorded late never moves the time back.
      const res = await db
        .updateTable('sign_in_activity')
        .set({ last_sign_in_at: codecs.time.encode(at) })
        .where('tenant_id', '=', key.tenant_id)
        .where('user_id', '=', key.user_id)
        .where('last_sign_in_at', '<', codecs.time.encode(at))
        .executeTakeFirst();
      if (res.numUpdatedRows > 0n) return;
      await db
        .insertInto('sign_in_activity')
        .values({ ...key, last_sign_in_at: codecs.time.encode(at) })
        .onConflict((oc) => oc.columns(['tenant_id', 'user_id']).doNothing())
        .execute();
    },
    async lastSignIns(tenantId) {
      const rows = await db
        .selectFrom('sign_in_activity')
        .select(['user_id', 'last_sign_in_at'])
        .where('tenant_id', '=', codecs.id.encode(tenantId))
        .execute();
      return new Map(rows.map((r) => [r.user_id, codecs.time.decode(r.last_sign_in_at)]));
    },
  };
}
