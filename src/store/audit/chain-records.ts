import { sql, type Kysely } from 'kysely';
import { ENTRY_INDEX_COLUMNS, joinIndexText } from '../../domain/audit/index-columns.js';
import type { ChainRecord } from '../../domain/audit/verify.js';
import type { Database } from '../schema.js';

/**
 * A text column as one field of the index text (`indexField`): `|` written `|:`, null as `|!`.
 * `replace`, `coalesce` and `||` mean the same on SQLite and PostgreSQL, so one string per row
 * leaves the database instead of one per column. Every column is coalesced, NOT NULL or not: a
 * null must never turn the whole text null.
 */
const field = (column: string) => sql<string>`coalesce(replace(${sql.ref(column)}, '|', '|:'), '|!')`;
const separator = sql` || '|;' || `;

/** The twelve `audit_entries` query columns as index text, in `ENTRY_INDEX_COLUMNS` order. */
const ENTRY_INDEX = sql<string>`${sql.join(
  ENTRY_INDEX_COLUMNS.map((c) =>
    c === 'activity_at' ? sql`coalesce(cast(activity_at as text), '|!')` : field(c),
  ),
  separator,
)}`;

/** A target row as index text (`targetIndexText`). */
const TARGET_INDEX = sql<string>`${sql.join([field('target_id'), field('target_type'), field('display_name')], separator)}`;

/**
 * Up to `limit` stored records of the tenant's chain after `afterSeq`, in seq order, as verification
 * reads them (`AuditStore.chain`). Its own module, so that a verification worker thread loads only
 * what reading the chain needs.
 */
export async function readChain(
  db: Kysely<Database>,
  tenantId: string,
  afterSeq: number,
  limit: number,
): Promise<ChainRecord[]> {
  const records = () =>
    db
      .selectFrom('audit_entries')
      .select([
        'seq',
        'payload',
        'prev_hash as prevHash',
        'hash',
        'chain_format as format',
        ENTRY_INDEX.as('index'),
      ])
      .where('tenant_id', '=', tenantId)
      .orderBy('seq');
  // A closed range stays an index range scan even before PostgreSQL has statistics for a
  // freshly filled table (an open `seq > ?` then sorts every later row, batch after batch).
  // Seqs are dense, so the window is normally full; a short one (a gap, the end) is topped up.
  let rows = await records()
    .where('seq', '>', afterSeq)
    .where('seq', '<=', afterSeq + limit)
    .execute();
  if (rows.length < limit) {
    const rest = await records()
      .where('seq', '>', afterSeq + limit)
      .limit(limit - rows.length)
      .execute();
    rows = rows.length === 0 ? rest : [...rows, ...rest];
  }
  const last = rows.at(-1);
  if (last === undefined) return [];
  // The target rows of the same seqs in one range read, in seq order, merged into their entries'
  // index text. Rows come back already in ChainRecord's shape and are completed in place: no
  // copy, since verification reads millions.
  const targets = await db
    .selectFrom('audit_targets')
    .select(['seq', TARGET_INDEX.as('index')])
    .where('tenant_id', '=', tenantId)
    .where('seq', '>', afterSeq)
    .where('seq', '<=', last.seq)
    .orderBy('seq')
    .execute();
  let t = 0;
  for (const r of rows as { seq: number; format: number; index: string | null }[]) {
    // `seq` is a number on both dialects: SQLite returns one, and the pool parses BIGINT to one.
    while (t < targets.length && targets[t]!.seq < r.seq) t += 1;
    let end = t;
    while (end < targets.length && targets[end]!.seq === r.seq) end += 1;
    if (end > t) {
      r.index = joinIndexText(
        r.index!,
        targets.slice(t, end).map((x) => x.index),
      );
    }
    t = end;
    if (r.format !== 2) r.format = Number(r.format) === 2 ? 2 : 1;
  }
  return rows as ChainRecord[];
}
