import type { Kysely } from 'kysely';
import type { AuditStore } from '../../app/audit/ports.js';
import type { AuditDraft, AuditEntry } from '../../domain/audit/entry.js';
import { CHAIN_FORMAT, entryFromPayload, GENESIS_HASH, sealEntry } from '../../domain/audit/hash.js';
import type { AuditIndex } from '../../domain/audit/index-columns.js';
import { auditFields } from '../../odata/collections.js';
import type { OrderByItem } from '../../odata/index.js';
import { chunks } from '../chunks.js';
import { codecs } from '../codecs.js';
import { listPage } from '../list.js';
import { readChain } from './chain-records.js';
import type { AuditEntryRow, AuditTargetRow, Database } from '../schema.js';

/** PostgreSQL returns BIGINT through the pool's parser as a number; SQLite returns a number. */
const int = (v: number | string | bigint): number => codecs.time.decode(v);

/** The stored row of a sealed entry: its query columns are exactly the ones its hash covers. */
const toRow = (e: AuditEntry, payload: string, ix: AuditIndex): AuditEntryRow => ({
  tenant_id: e.tenantId,
  seq: e.seq,
  id: ix.id,
  activity_at: codecs.time.encode(ix.activityAt),
  code: ix.code,
  category: ix.category,
  activity_display_name: ix.activityDisplayName,
  operation_type: ix.operationType,
  logged_by_service: ix.loggedByService,
  result: ix.result,
  initiated_by_user_id: ix.initiatedByUserId,
  initiated_by_upn: ix.initiatedByUpn,
  initiated_by_app_id: ix.initiatedByAppId,
  correlation_id: ix.correlationId,
  payload,
  prev_hash: e.prevHash,
  hash: e.hash,
  chain_format: CHAIN_FORMAT,
});

/** Query rows for `targetResources/any(…)`: one per distinct target id. */
const targetRows = (e: AuditEntry, ix: AuditIndex): AuditTargetRow[] =>
  ix.targets.map((t) => ({
    tenant_id: e.tenantId,
    seq: e.seq,
    target_id: t.id,
    target_type: t.type,
    display_name: t.displayName,
  }));

const fromRow = (r: Pick<AuditEntryRow, 'payload' | 'prev_hash' | 'hash'>): AuditEntry =>
  entryFromPayload(r.payload, r.prev_hash, r.hash);

/**
 * The head of each tenant's chain as this process last moved it. Only a guess: moving the head
 * compares it with the row (`seq` and `hash` both), so a head moved meanwhile by another
 * transaction, replica or process, or left behind by a rollback, is simply read again. A chain
 * never returns to an earlier (seq, hash): seqs only grow, and a hash covers its entry's random id.
 */
export type AuditHeads = Map<string, { seq: number; hash: string }>;

/** A run of one tenant's drafts sealed from `seq` on, after `prevHash`, as rows to insert. */
function sealRun(drafts: readonly AuditDraft[], seq: number, prevHash: string) {
  const entries: AuditEntry[] = [];
  const rows: AuditEntryRow[] = [];
  const targets: AuditTargetRow[] = [];
  let hash = prevHash;
  drafts.forEach((draft, i) => {
    const { entry, payload, index } = sealEntry(draft, seq + i, hash);
    hash = entry.hash;
    rows.push(toRow(entry, payload, index));
    targets.push(...targetRows(entry, index));
    entries.push(entry);
  });
  return { entries, rows, targets, head: { seq: seq + drafts.length - 1, hash } };
}

/**
 * The audit log over `audit_entries`. Entries are rendered from the hashed payload only; the other
 * columns exist for filtering and ordering. With `heads` (the unit of work's, shared by its
 * transactions), an append whose guessed head is right moves the head once, in one statement.
 */
export function auditStore(db: Kysely<Database>, heads?: AuditHeads): AuditStore {
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

  /**
   * Seals the run after the guessed head and moves the head from exactly that head to the run's
   * last entry, in one compare-and-set (on PostgreSQL it queues on the row like `advanceHead`, and
   * a head moved by the transaction it waited for no longer matches). Undefined when the guess was
   * wrong: nothing was written.
   */
  async function sealAfterKnownHead(tenantId: string, run: readonly AuditDraft[]) {
    const known = heads?.get(tenantId);
    if (known === undefined) return undefined;
    const sealed = sealRun(run, known.seq + 1, known.hash);
    const moved = await db
      .updateTable('audit_head')
      .set({ seq: sealed.head.seq, hash: sealed.head.hash })
      .where('tenant_id', '=', tenantId)
      .where('seq', '=', known.seq)
      .where('hash', '=', known.hash)
      .executeTakeFirst();
    return Number(moved.numUpdatedRows) === 1 ? sealed : undefined;
  }

  /** Seals the run after the head read from the database, which it then moves (two statements). */
  async function sealAfterStoredHead(tenantId: string, run: readonly AuditDraft[]) {
    const head = await advanceHead(tenantId, run.length);
    const sealed = sealRun(run, head.seq, head.prevHash);
    await db
      .updateTable('audit_head')
      .set({ hash: sealed.head.hash })
      .where('tenant_id', '=', tenantId)
      .execute();
    return sealed;
  }

  /** Appends in the order given: one head move per run of the same tenant, multi-row inserts. */
  async function appendMany(drafts: readonly AuditDraft[]): Promise<AuditEntry[]> {
    const entries: AuditEntry[] = [];
    for (let start = 0; start < drafts.length;) {
      const tenantId = drafts[start]!.tenantId;
      let end = start;
      while (end < drafts.length && drafts[end]!.tenantId === tenantId) end += 1;
      const run = drafts.slice(start, end);
      const sealed = (await sealAfterKnownHead(tenantId, run)) ?? (await sealAfterStoredHead(tenantId, run));
      for (const chunk of chunks(sealed.rows)) await db.insertInto('audit_entries').values(chunk).execute();
      for (const chunk of chunks(sealed.targets))
        await db.insertInto('audit_targets').values(chunk).execute();
      heads?.set(tenantId, sealed.head);
      entries.push(...sealed.entries);
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

    chain: (tenantId, afterSeq, limit) => readChain(db, tenantId, afterSeq, limit),

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
      // Queue on the chain head like an append (a row lock on PostgreSQL; SQLite writers are serial
      // anyway), then store only if nothing at this seq or later is there: checkpoints of a tenant
      // commit in seq order, which is what lets publication cursors be a plain seq.
      await db
        .updateTable('audit_head')
        .set((eb) => ({ seq: eb.ref('seq') }))
        .where('tenant_id', '=', cp.tenantId)
        .execute();
      const later = await db
        .selectFrom('audit_checkpoints')
        .select('seq')
        .where('tenant_id', '=', cp.tenantId)
        .where('seq', '>=', cp.seq)
        .limit(1)
        .executeTakeFirst();
      if (later) return false;
      await db
        .insertInto('audit_checkpoints')
        .values({
          tenant_id: cp.tenantId,
          seq: cp.seq,
          head_hash: cp.headHash,
          signed_at: codecs.time.encode(cp.signedAt),
          key_id: cp.keyId,
          signature: cp.signature,
        })
        .execute();
      return true;
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
