import type { Kysely } from 'kysely';
import type { CheckpointPublicationStore } from '../../app/audit/ports.js';
import { codecs } from '../codecs.js';
import type { Database } from '../schema.js';

const int = (v: number | string | bigint): number => codecs.time.decode(v);

/**
 * Publication cursors over `audit_publish_cursors` (migration 0012). Single statements and
 * compare-and-set only, so any number of replicas share them on PostgreSQL (DESIGN.md invariant 4).
 */
export function checkpointPublicationStore(db: Kysely<Database>): CheckpointPublicationStore {
  return {
    async checkpointsAfter(tenantId, afterSeq, throughSeq, limit) {
      const rows = await db
        .selectFrom('audit_checkpoints')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('seq', '>', afterSeq)
        .where('seq', '<=', throughSeq)
        .orderBy('seq')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        tenantId: r.tenant_id,
        seq: int(r.seq),
        headHash: r.head_hash,
        signedAt: codecs.time.decode(r.signed_at),
        keyId: r.key_id,
        signature: r.signature,
      }));
    },

    async cursor(publisherId, tenantId) {
      const r = await db
        .selectFrom('audit_publish_cursors')
        .select('seq')
        .where('publisher_id', '=', publisherId)
        .where('tenant_id', '=', tenantId)
        .executeTakeFirst();
      return r ? int(r.seq) : 0;
    },

    async advance(publisherId, tenantId, fromSeq, toSeq, now) {
      if (fromSeq === 0) {
        const ins = await db
          .insertInto('audit_publish_cursors')
          .values({ publisher_id: publisherId, tenant_id: tenantId, seq: toSeq, updated_at: now })
          .onConflict((oc) => oc.columns(['publisher_id', 'tenant_id']).doNothing())
          .executeTakeFirst();
        if (Number(ins.numInsertedOrUpdatedRows ?? 0n) === 1) return true;
      }
      const moved = await db
        .updateTable('audit_publish_cursors')
        .set({ seq: toSeq, updated_at: now })
        .where('publisher_id', '=', publisherId)
        .where('tenant_id', '=', tenantId)
        .where('seq', '=', fromSeq)
        .executeTakeFirst();
      return moved.numUpdatedRows === 1n;
    },

    async tenants() {
      const rows = await db
        .selectFrom('audit_checkpoints')
        .select('tenant_id')
        .distinct()
        .orderBy('tenant_id')
        .execute();
      return rows.map((r) => r.tenant_id);
    },

    async status(tenantId) {
      const last = await db
        .selectFrom('audit_checkpoints')
        .select(['seq', 'signed_at'])
        .where('tenant_id', '=', tenantId)
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      const rows = await db
        .selectFrom('audit_publish_cursors')
        .select(['publisher_id', 'seq', 'updated_at'])
        .where('tenant_id', '=', tenantId)
        .orderBy('publisher_id')
        .execute();
      return {
        lastCheckpoint: last ? { seq: int(last.seq), signedAt: int(last.signed_at) } : null,
        publishers: rows.map((r) => ({
          publisherId: r.publisher_id,
          seq: int(r.seq),
          at: int(r.updated_at),
        })),
      };
    },
  };
}
