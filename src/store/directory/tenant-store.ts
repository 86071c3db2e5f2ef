import type { Kysely } from 'kysely';
import type { TenantStore } from '../../app/ports.js';
import { codecs } from '../codecs.js';
import type { Database } from '../schema.js';

export function tenantStore(db: Kysely<Database>): TenantStore {
  const decode = (r: { id: string; display_name: string; created_at: number }) => ({
    id: r.id,
    displayName: r.display_name,
    createdAt: codecs.time.decode(r.created_at),
  });
  return {
    async insert(t) {
      await db
        .insertInto('tenants')
        .values({ id: t.id, display_name: t.displayName, created_at: codecs.time.encode(t.createdAt) })
        .execute();
    },
    async get(id) {
      const r = await db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
      return r && decode(r);
    },
    async all() {
      const rows = await db.selectFrom('tenants').selectAll().orderBy('created_at').orderBy('id').execute();
      return rows.map(decode);
    },
    async first() {
      const r = await db
        .selectFrom('tenants')
        .selectAll()
        .orderBy('created_at')
        .orderBy('id')
        .limit(1)
        .executeTakeFirst();
      return r && decode(r);
    },
  };
}
