import type { Kysely } from 'kysely';
import type { AuditPruneStore, ChainReader, ExportCursorStore } from '../../app/audit-export/ports.js';
import { auditStore } from './audit-store.js';
import { codecs } from '../codecs.js';
import type { Database } from '../schema.js';

const int = (v: number | string | bigint): number => codecs.time.decode(v);

/**
 * Cursors and leases of SIEM forwarding. Every step is a single statement or a compare-and-set, so
 * it works unchanged on SQLite and PostgreSQL with any number of replicas (DESIGN.md invariant 4).
 */
export function exportCursorStore(db: Kysely<Database>): ExportCursorStore {
  async function takeLease(destinationId: string, holder: string, now: number, leaseMs: number) {
    const res = await db
      .updateTable('audit_export_leases')
      .set({ holder, expires_at: codecs.time.encode(now + leaseMs) })
      .where('destination_id', '=', destinationId)
      .where((eb) =>
        eb.or([eb('holder', '=', holder), eb('holder', 'is', null), eb('expires_at', '<=', now)]),
      )
      .executeTakeFirst();
    return res.numUpdatedRows === 1n;
  }

  return {
    async claim(destinationId, holder, now, leaseMs) {
      if (await takeLease(destinationId, holder, now, leaseMs)) return true;
      // First use of the destination: create the row free, then race for it like everyone else.
      await db
        .insertInto('audit_export_leases')
        .values({ destination_id: destinationId, holder: null, expires_at: 0 })
        .onConflict((oc) => oc.column('destination_id').doNothing())
        .execute();
      return takeLease(destinationId, holder, now, leaseMs);
    },

    async release(destinationId, holder) {
      await db
        .updateTable('audit_export_leases')
        .set({ holder: null, expires_at: 0 })
        .where('destination_id', '=', destinationId)
        .where('holder', '=', holder)
        .execute();
    },

    async cursor(destinationId, tenantId) {
      const r = await db
        .selectFrom('audit_export_cursors')
        .select('seq')
        .where('destination_id', '=', destinationId)
        .where('tenant_id', '=', tenantId)
        .executeTakeFirst();
      return r ? int(r.seq) : 0;
    },

    async cursors() {
      const rows = await db.selectFrom('audit_export_cursors').selectAll().execute();
      return rows.map((r) => ({ destinationId: r.destination_id, tenantId: r.tenant_id, seq: int(r.seq) }));
    },

    async advance(destinationId, tenantId, fromSeq, toSeq, holder, now) {
      return db.transaction().execute(async (trx) => {
        const held = await trx
          .updateTable('audit_export_leases')
          .set({ holder })
          .where('destination_id', '=', destinationId)
          .where('holder', '=', holder)
          .where('expires_at', '>', now)
          .executeTakeFirst();
        if (held.numUpdatedRows !== 1n) return false;
        if (fromSeq === 0) {
          const ins = await trx
            .insertInto('audit_export_cursors')
            .values({ destination_id: destinationId, tenant_id: tenantId, seq: toSeq, updated_at: now })
            .onConflict((oc) => oc.columns(['destination_id', 'tenant_id']).doNothing())
            .executeTakeFirst();
          if (Number(ins.numInsertedOrUpdatedRows ?? 0n) === 1) return true;
        }
        const moved = await trx
          .updateTable('audit_export_cursors')
          .set({ seq: toSeq, updated_at: now })
          .where('destination_id', '=', destinationId)
          .where('tenant_id', '=', tenantId)
          .where('seq', '=', fromSeq)
          .executeTakeFirst();
        return moved.numUpdatedRows === 1n;
      });
    },
  };
}

/** The audit chains, read outside use cases (each call its own short read). */
export function chainReader(db: Kysely<Database>): ChainReader {
  const audit = auditStore(db);
  return {
    tenants: () => audit.chainTenants(),
    chain: (tenantId, afterSeq, limit) => audit.chain(tenantId, afterSeq, limit),
    between: (tenantId, fromMs, toMs, afterSeq, limit) =>
      db
        .selectFrom('audit_entries')
        .select(['seq', 'payload', 'prev_hash as prevHash', 'hash'])
        .where('tenant_id', '=', tenantId)
        .where('activity_at', '>=', fromMs)
        .where('activity_at', '<', toMs)
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .limit(limit)
        .execute(),
  };
}

/** Where retention may cut a tenant's chain. */
export function auditPruneStore(db: Kysely<Database>): AuditPruneStore {
  const lowest = async (tenantId: string, cutoffMs?: number) => {
    let qb = db
      .selectFrom('audit_entries')
      .select('seq')
      .where('tenant_id', '=', tenantId)
      .orderBy('seq')
      .limit(1);
    if (cutoffMs !== undefined) qb = qb.where('activity_at', '>=', cutoffMs);
    const r = await qb.executeTakeFirst();
    return r ? int(r.seq) : undefined;
  };
  return {
    firstSeq: (tenantId) => lowest(tenantId),
    firstSeqAtOrAfter: (tenantId, cutoffMs) => lowest(tenantId, cutoffMs),
  };
}
