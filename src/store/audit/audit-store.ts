import type { Kysely } from 'kysely';
import type { AuditStore } from '../../app/audit/ports.js';
import type { AuditDraft, AuditEntry } from '../../domain/audit/entry.js';
import { entryFromPayload, GENESIS_HASH, sealEntry } from '../../domain/audit/hash.js';
import { auditFields } from '../../odata/collections.js';
import type { OrderByItem } from '../../odata/index.js';
import { codecs } from '../codecs.js';
import { listPage } from '../list.js';
import type { AuditEntryRow, AuditTargetRow, Database } from '../schema.js';

/** PostgreSQL returns BIGINT through the pool's parser as a number; SQLite returns a number. */
const int = (v: number | string | bigint): number => codecs.time.decode(v);

const toRow = (e: AuditEntry, payload: string): AuditEntryRow => ({
  tenant_id: e.tenantId,
  seq: e.seq,
  id: e.id,
  activity_at: codecs.time.encode(e.activityDateTime),
  code: e.code,
  category: e.category,
  activity_display_name: e.activityDisplayName,
  operation_type: e.operationType,
  logged_by_service: e.loggedByService,
  result: e.result,
  initiated_by_user_id: e.initiatedBy.user?.id ?? null,
  initiated_by_upn: e.initiatedBy.user?.userPrincipalName ?? null,
  initiated_by_app_id: e.initiatedBy.app?.appId ?? null,
  correlation_id: e.correlationId,
  payload,
  prev_hash: e.prevHash,
  hash: e.hash,
});

/** Query columns for `targetResources/any(…)`; one row per distinct target id. */
function targetRows(e: AuditEntry): AuditTargetRow[] {
  const seen = new Set<string>();
  const rows: AuditTargetRow[] = [];
  for (const t of e.targetResources) {
    if (t.id === null || seen.has(t.id)) continue;
    seen.add(t.id);
    rows.push({
      tenant_id: e.tenantId,
      seq: e.seq,
      target_id: t.id,
      target_type: t.type,
      display_name: t.displayName,
    });
  }
  return rows;
}

const fromRow = (r: Pick<AuditEntryRow, 'payload' | 'prev_hash' | 'hash'>): AuditEntry =>
  entryFromPayload(r.payload, r.prev_hash, r.hash);

/** Rows per multi-row INSERT: well under SQLite's and PostgreSQL's bound-parameter limits. */
const ROWS_PER_INSERT = 500;

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/**
 * The audit log over `audit_entries`. Entries are rendered from the hashed payload only; the other
 * columns exist for filtering and ordering.
 */
export function auditStore(db: Kysely<Database>): AuditStore {
  /**
   * Takes the next position in the tenant's chain. The increment is one UPDATE on the head row, so
   * on PostgreSQL a concurrent append waits on that row until this transaction ends and then reads
   * the head it left (READ COMMITTED re-evaluates the row); on SQLite writers are serial anyway.
   */
  async function advanceHead(tenantId: string, count = 1): Promise<{ seq: number; prevHash: string }> {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const moved = await db
        .updateTable('audit_head')
        .set((eb) => ({ seq: eb('seq', '+', count) }))
        .where('tenant_id', '=', tenantId)
        .returning(['seq', 'hash'])
        .executeTakeFirst();
      // The first of the `count` positions taken, and the hash of the entry before it.
      if (moved) return { seq: int(moved.seq) - count + 1, prevHash: moved.hash };
      await db
        .insertInto('audit_head')
        .values({ tenant_id: tenantId, seq: 0, hash: GENESIS_HASH })
        .onConflict((oc) => oc.column('tenant_id').doNothing())
        .execute();
    }
    throw new Error(`audit head of tenant ${tenantId} could not be created`);
  }

  /** Appends in the order given: one head move per run of the same tenant, multi-row inserts. */
  async function appendMany(drafts: readonly AuditDraft[]): Promise<AuditEntry[]> {
    const entries: AuditEntry[] = [];
    for (let start = 0; start < drafts.length;) {
      const tenantId = drafts[start]!.tenantId;
      let end = start;
      while (end < drafts.length && drafts[end]!.tenantId === tenantId) end += 1;
      const run = drafts.slice(start, end);
      const head = await advanceHead(tenantId, run.length);
      let prevHash = head.prevHash;
      const rows: AuditEntryRow[] = [];
      const targets: AuditTargetRow[] = [];
      run.forEach((draft, i) => {
        const { entry, payload } = sealEntry(draft, head.seq + i, prevHash);
        prevHash = entry.hash;
        rows.push(toRow(entry, payload));
        targets.push(...targetRows(entry));
        entries.push(entry);
      });
      for (const chunk of chunks(rows, ROWS_PER_INSERT))
        await db.insertInto('audit_entries').values(chunk).execute();
      for (const chunk of chunks(targets, ROWS_PER_INSERT))
        await db.insertInto('audit_targets').values(chunk).execute();
      await db.updateTable('audit_head').set({ hash: prevHash }).where('tenant_id', '=', tenantId).execute();
      start = end;
    }
    return entries;
  }

  return {
    async append(draft) {
      const [entry] = await appendMany([draft]);
      return entry!;
    },

    appendMany,

    async get(tenantId, id) {
      const r = await db
        .selectFrom('audit_entries')
        .select(['payload', 'prev_hash', 'hash'])
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return r && fromRow(r);
    },

    async list(tenantId, q) {
      // Entries of one millisecond keep chain order, in the direction of the main sort.
      const last: OrderByItem = {
        field: 'seq',
        column: 'e.seq',
        direction: q.orderBy[0]?.direction ?? 'desc',
      };
      const page = await listPage(
        db
          .selectFrom('audit_entries as e')
          .select(['e.payload', 'e.prev_hash', 'e.hash'])
          .where('e.tenant_id', '=', tenantId),
        { ...q, orderBy: [...q.orderBy, last] },
        auditFields,
        'e.seq',
      );
      return { ...page, items: page.items.map(fromRow) };
    },

    async head(tenantId) {
      const r = await db
        .selectFrom('audit_head')
        .select(['seq', 'hash'])
        .where('tenant_id', '=', tenantId)
        .executeTakeFirst();
      return r && { seq: int(r.seq), hash: r.hash };
    },

    async chain(tenantId, afterSeq, limit) {
      // Rows come back already in ChainRecord's shape (no copy: verification reads millions).
      // `seq` is a number on both dialects: SQLite returns one, and the pool parses BIGINT to one.
      const records = () =>
        db
          .selectFrom('audit_entries')
          .select(['seq', 'payload', 'prev_hash as prevHash', 'hash'])
          .where('tenant_id', '=', tenantId)
          .orderBy('seq');
      // A closed range stays an index range scan even before PostgreSQL has statistics for a
      // freshly filled table (an open `seq > ?` then sorts every later row, batch after batch).
      // Seqs are dense, so the window is normally full; a short one (a gap, the end) is topped up.
      const window = await records()
        .where('seq', '>', afterSeq)
        .where('seq', '<=', afterSeq + limit)
        .execute();
      if (window.length >= limit) return window;
      const rest = await records()
        .where('seq', '>', afterSeq + limit)
        .limit(limit - window.length)
        .execute();
      return [...window, ...rest];
    },

    async checkpoints(tenantId) {
      const rows = await db
        .selectFrom('audit_checkpoints')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('seq')
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

    async insertCheckpoint(cp) {
      const res = await db
        .insertInto('audit_checkpoints')
        .values({
          tenant_id: cp.tenantId,
          seq: cp.seq,
          head_hash: cp.headHash,
          signed_at: codecs.time.encode(cp.signedAt),
          key_id: cp.keyId,
          signature: cp.signature,
        })
        .onConflict((oc) => oc.columns(['tenant_id', 'seq']).doNothing())
        .executeTakeFirst();
      return Number(res.numInsertedOrUpdatedRows ?? 0n) === 1;
    },

    async deleteThrough(tenantId, throughSeq) {
      await db
        .deleteFrom('audit_targets')
        .where('tenant_id', '=', tenantId)
        .where('seq', '<=', throughSeq)
        .execute();
      const res = await db
        .deleteFrom('audit_entries')
        .where('tenant_id', '=', tenantId)
        .where('seq', '<=', throughSeq)
        .executeTakeFirst();
      return Number(res.numDeletedRows);
    },

    async prunes(tenantId) {
      const rows = await db
        .selectFrom('audit_prunes')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('through_seq')
        .execute();
      return rows.map((r) => ({
        tenantId: r.tenant_id,
        throughSeq: int(r.through_seq),
        headHash: r.head_hash,
        prunedAt: codecs.time.decode(r.pruned_at),
        keyId: r.key_id,
        signature: r.signature,
      }));
    },

    async insertPrune(p) {
      await db
        .insertInto('audit_prunes')
        .values({
          tenant_id: p.tenantId,
          through_seq: p.throughSeq,
          head_hash: p.headHash,
          pruned_at: codecs.time.encode(p.prunedAt),
          key_id: p.keyId,
          signature: p.signature,
        })
        .execute();
    },

    async chainTenants() {
      // Every place a chain leaves a trace, so deleting one of them does not hide a chain.
      const rows = await db
        .selectFrom('audit_head')
        .select('tenant_id')
        .union(db.selectFrom('audit_checkpoints').select('tenant_id'))
        .union(db.selectFrom('audit_entries').select('tenant_id'))
        .orderBy('tenant_id')
        .execute();
      return rows.map((r) => r.tenant_id);
    },
  };
}
