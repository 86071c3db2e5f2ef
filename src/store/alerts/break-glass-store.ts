import type { Kysely } from 'kysely';
import type { BreakGlassStore } from '../../app/alerts/ports.js';
import type {
  BreakGlassAccount,
  BreakGlassUse,
  BreakGlassUseMethod,
} from '../../domain/alerts/break-glass.js';
import { codecs } from '../codecs.js';
import type { Database } from '../schema.js';

/** Rows of migration 0026_break_glass. */
export interface BreakGlassAccountRow {
  tenant_id: string;
  user_id: string;
  created_at: number;
  created_by: string;
  last_tested_at: number | null;
}

export interface BreakGlassUseRow {
  tenant_id: string;
  id: string;
  user_id: string;
  used_at: number;
  method: string;
  justification: string | null;
  is_test: number;
  justified_at: number | null;
}

declare module '../schema.js' {
  interface Database {
    break_glass_accounts: BreakGlassAccountRow;
    break_glass_uses: BreakGlassUseRow;
  }
}

const account = (r: BreakGlassAccountRow): BreakGlassAccount => ({
  tenantId: r.tenant_id,
  userId: r.user_id,
  createdAt: codecs.time.decode(r.created_at),
  createdBy: r.created_by,
  lastTestedAt: codecs.optionalTime.decode(r.last_tested_at),
});

const use = (r: BreakGlassUseRow): BreakGlassUse => ({
  tenantId: r.tenant_id,
  id: r.id,
  userId: r.user_id,
  usedAt: codecs.time.decode(r.used_at),
  method: r.method as BreakGlassUseMethod,
  justification: r.justification,
  isTest: codecs.bool.decode(r.is_test),
  justifiedAt: codecs.optionalTime.decode(r.justified_at),
});

/** Break-glass accounts and their uses, bound to one transaction. */
export function breakGlassStore(db: Kysely<Database>): BreakGlassStore {
  const tenant = (id: string) => codecs.id.encode(id);
  return {
    async list(tenantId) {
      const rows = await db
        .selectFrom('break_glass_accounts')
        .selectAll()
        .where('tenant_id', '=', tenant(tenantId))
        .orderBy('user_id')
        .execute();
      return rows.map(account);
    },
    async get(tenantId, userId) {
      const r = await db
        .selectFrom('break_glass_accounts')
        .selectAll()
        .where('tenant_id', '=', tenant(tenantId))
        .where('user_id', '=', codecs.id.encode(userId))
        .executeTakeFirst();
      return r === undefined ? undefined : account(r);
    },
    async insert(a) {
      const res = await db
        .insertInto('break_glass_accounts')
        .values({
          tenant_id: tenant(a.tenantId),
          user_id: codecs.id.encode(a.userId),
          created_at: codecs.time.encode(a.createdAt),
          created_by: a.createdBy,
          last_tested_at: codecs.optionalTime.encode(a.lastTestedAt),
        })
        .onConflict((oc) => oc.columns(['tenant_id', 'user_id']).doNothing())
        .executeTakeFirst();
      return Number(res.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    async remove(tenantId, userId) {
      const res = await db
        .deleteFrom('break_glass_accounts')
        .where('tenant_id', '=', tenant(tenantId))
        .where('user_id', '=', codecs.id.encode(userId))
        .executeTakeFirst();
      return res.numDeletedRows > 0n;
    },
    async setLastTested(tenantId, userId, at) {
      await db
        .updateTable('break_glass_accounts')
        .set({ last_tested_at: codecs.time.encode(at) })
        .where('tenant_id', '=', tenant(tenantId))
        .where('user_id', '=', codecs.id.encode(userId))
        .where((eb) => eb.or([eb('last_tested_at', 'is', null), eb('last_tested_at', '<', at)]))
        .execute();
    },
    async addUse(u) {
      await db
        .insertInto('break_glass_uses')
        .values({
          tenant_id: tenant(u.tenantId),
          id: u.id,
          user_id: codecs.id.encode(u.userId),
          used_at: codecs.time.encode(u.usedAt),
          method: u.method,
          justification: u.justification,
          is_test: codecs.bool.encode(u.isTest),
          justified_at: codecs.optionalTime.encode(u.justifiedAt),
        })
        .execute();
    },
    async getUse(tenantId, useId) {
      const r = await db
        .selectFrom('break_glass_uses')
        .selectAll()
        .where('tenant_id', '=', tenant(tenantId))
        .where('id', '=', useId)
        .executeTakeFirst();
      return r === undefined ? undefined : use(r);
    },
    async uses(tenantId, userId, limit) {
      const rows = await db
        .selectFrom('break_glass_uses')
        .selectAll()
        .where('tenant_id', '=', tenant(tenantId))
        .where('user_id', '=', codecs.id.encode(userId))
        .orderBy('used_at', 'desc')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map(use);
    },
    async justify(tenantId, useId, justification, isTest, at) {
      const res = await db
        .updateTable('break_glass_uses')
        .set({
          justification,
          is_test: codecs.bool.encode(isTest),
          justified_at: codecs.time.encode(at),
        })
        .where('tenant_id', '=', tenant(tenantId))
        .where('id', '=', useId)
        .where('justified_at', 'is', null)
        .executeTakeFirst();
      return res.numUpdatedRows > 0n;
    },
    async usage(tenantId) {
      const out = new Map<string, { lastUsedAt: number | null; unjustified: BreakGlassUse[] }>();
      const accounts = await db
        .selectFrom('break_glass_accounts')
        .leftJoin('break_glass_uses', (j) =>
          j
            .onRef('break_glass_uses.tenant_id', '=', 'break_glass_accounts.tenant_id')
            .onRef('break_glass_uses.user_id', '=', 'break_glass_accounts.user_id'),
        )
        .select(['break_glass_accounts.user_id', (eb) => eb.fn.max('break_glass_uses.used_at').as('last')])
        .where('break_glass_accounts.tenant_id', '=', tenant(tenantId))
        .groupBy('break_glass_accounts.user_id')
        .execute();
      for (const a of accounts)
        out.set(a.user_id, {
          lastUsedAt: a.last === null || a.last === undefined ? null : codecs.time.decode(a.last),
          unjustified: [],
        });
      const open = await db
        .selectFrom('break_glass_uses')
        .innerJoin('break_glass_accounts', (j) =>
          j
            .onRef('break_glass_accounts.tenant_id', '=', 'break_glass_uses.tenant_id')
            .onRef('break_glass_accounts.user_id', '=', 'break_glass_uses.user_id'),
        )
        .selectAll('break_glass_uses')
        .where('break_glass_uses.tenant_id', '=', tenant(tenantId))
        .where('break_glass_uses.justified_at', 'is', null)
        .orderBy('break_glass_uses.used_at')
        .orderBy('break_glass_uses.id')
        .execute();
      for (const r of open) out.get(r.user_id)?.unjustified.push(use(r));
      return out;
    },
  };
}
