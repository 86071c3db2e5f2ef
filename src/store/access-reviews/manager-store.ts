import type { Kysely } from 'kysely';
import type { ManagerStore } from '../../app/access-reviews/ports.js';
import { codecs } from '../codecs.js';
import type { Database } from '../schema.js';

export function managerStore(db: Kysely<Database>): ManagerStore {
  return {
    async get(tenantId, userId) {
      const row = await db
        .selectFrom('user_managers')
        .select('manager_id')
        .where('tenant_id', '=', codecs.id.encode(tenantId))
        .where('user_id', '=', codecs.id.encode(userId))
        .executeTakeFirst();
      return row?.manager_id ?? null;
    },
    async set(tenantId, userId, managerId, now) {
      const key = { tenant_id: codecs.id.encode(tenantId), user_id: codecs.id.encode(userId) };
      const res = await db
        .updateTable('user_managers')
        .set({ manager_id: codecs.id.encode(managerId), modified_at: codecs.time.encode(now) })
        .where('tenant_id', '=', key.tenant_id)
        .where('user_id', '=', key.user_id)
        .executeTakeFirst();
      if (res.numUpdatedRows === 0n)
        await db
          .insertInto('user_managers')
          .values({ ...key, manager_id: codecs.id.encode(managerId), modified_at: codecs.time.encode(now) })
          .execute();
    },
    async remove(tenantId, userId) {
      const res = await db
        .deleteFrom('user_managers')
        .where('tenant_id', '=', codecs.id.encode(tenantId))
        .where('user_id', '=', codecs.id.encode(userId))
        .executeTakeFirst();
      return res.numDeletedRows > 0n;
    },
    async managersOf(tenantId, userIds) {
      const out = new Map<string, string>();
      for (let i = 0; i < userIds.length; i += 500) {
        const chunk = userIds.slice(i, i + 500);
        const rows = await db
          .selectFrom('user_managers')
          .select(['user_id', 'manager_id'])
          .where('tenant_id', '=', codecs.id.encode(tenantId))
          .where('user_id', 'in', chunk)
          .execute();
        for (const r of rows) out.set(r.user_id, r.manager_id);
      }
      return out;
    },
  };
}
