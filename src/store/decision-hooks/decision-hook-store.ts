import type { Kysely } from 'kysely';
import { decisionHookFields } from '../../app/decision-hooks/fields.js';
import type { DecisionHookStore } from '../../app/decision-hooks/ports.js';
import type { DecisionHook } from '../../domain/decision-hooks/hook.js';
import { expectOneRow } from '../cas.js';
import { codecs } from '../codecs.js';
import { listPage } from '../list.js';
import type { Database } from '../schema.js';
import type { StoreBinder } from '../unit-of-work.js';

/** Migration 0019: one decision hook, its secret sealed. */
export interface DecisionHookRow {
  id: string;
  tenant_id: string;
  display_name: string;
  url: string;
  timeout_ms: number;
  secret_sealed: string;
  secret_version: number;
  created_at: number;
  modified_at: number;
  version: number;
}

declare module '../schema.js' {
  interface Database {
    decision_hooks: DecisionHookRow;
  }
}

const toRow = (h: DecisionHook): DecisionHookRow => ({
  id: codecs.id.encode(h.id),
  tenant_id: codecs.id.encode(h.tenantId),
  display_name: h.displayName,
  url: h.url,
  timeout_ms: h.timeoutMs,
  secret_sealed: h.sealedSecret,
  secret_version: h.secretVersion,
  created_at: codecs.time.encode(h.createdAt),
  modified_at: codecs.time.encode(h.modifiedAt),
  version: h.version,
});

const fromRow = (r: DecisionHookRow): DecisionHook => ({
  id: r.id,
  tenantId: r.tenant_id,
  displayName: r.display_name,
  url: r.url,
  timeoutMs: Number(r.timeout_ms),
  sealedSecret: r.secret_sealed,
  secretVersion: Number(r.secret_version),
  createdAt: codecs.time.decode(r.created_at),
  modifiedAt: codecs.time.decode(r.modified_at),
  version: Number(r.version),
});

export function decisionHookStore(db: Kysely<Database>): DecisionHookStore {
  return {
    async list(tenantId, q) {
      const page = await listPage(
        db.selectFrom('decision_hooks').selectAll().where('tenant_id', '=', tenantId),
        q,
        decisionHookFields,
      );
      return { ...page, items: page.items.map(fromRow) };
    },

    async get(tenantId, id) {
      const r = await db
        .selectFrom('decision_hooks')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id.toLowerCase())
        .executeTakeFirst();
      return r && fromRow(r);
    },

    async count(tenantId) {
      const r = await db
        .selectFrom('decision_hooks')
        .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
        .where('tenant_id', '=', tenantId)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },

    async insert(h) {
      await db.insertInto('decision_hooks').values(toRow(h)).execute();
    },

    async update(h, expectedVersion) {
      const { id, tenant_id, created_at: _c, ...values } = toRow(h);
      const res = await db
        .updateTable('decision_hooks')
        .set(values)
        .where('id', '=', id)
        .where('tenant_id', '=', tenant_id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      expectOneRow(res);
    },

    async delete(tenantId, id) {
      const res = await db
        .deleteFrom('decision_hooks')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return res.numDeletedRows === 1n;
    },
  };
}

/** The decision hook store (see `app/decision-hooks/ports.ts`). */
export const decisionHookStores: StoreBinder = (db) => ({ decisionHooks: decisionHookStore(db) });
