import type { Kysely } from 'kysely';
import type { SystemStateStore } from '../app/ports.js';
import { codecs } from './codecs.js';
import type { Database } from './schema.js';

export function systemStateStore(db: Kysely<Database>): SystemStateStore {
  return {
    async get(key) {
      const r = await db.selectFrom('system_state').select('value').where('key', '=', key).executeTakeFirst();
      return r?.value;
    },
    // `on conflict do nothing` rather than catching the unique violation: on PostgreSQL a failed
    // statement aborts the surrounding transaction, so a second start against a bootstrapped
    // database failed at commit.
    async insertOnce(key, value, now) {
      // ON CONFLICT DO NOTHING rather than catching the unique violation: on PostgreSQL a failed
      // statement aborts the whole transaction, so a caught violation still made the commit fail
      // (a restarted server could not get past bootstrap).
      const res = await db
        .insertInto('system_state')
        .values({ key, value, updated_at: codecs.time.encode(now) })
        .onConflict((oc) => oc.column('key').doNothing())
        .executeTakeFirst();
      return Number(res.numInsertedOrUpdatedRows ?? 0n) === 1;
    },
  };
}
