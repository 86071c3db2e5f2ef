import { sql } from 'kysely';
import type { Db } from '../../../src/store/db.js';

/**
 * Tables that background jobs write on their own schedule, whatever requests do: the outbox relay
 * (numbering, cursors, dead letters), audit checkpoints and their key, audit forwarding and
 * retention, the notifications fan-out and delivery worker (which turn earlier requests' events
 * into notifications a second later), the alert scans on their timer, and the connector
 * reconcilers (grant records and leases). A request's effect on
 * them is not its own, so the digest leaves them out.
 */
const JOB_TABLES = new Set([
  'outbox_head',
  'outbox_consumers',
  'outbox_dead_letters',
  'audit_checkpoints',
  'audit_signing_keys',
  'audit_export_cursors',
  'audit_export_leases',
  'audit_prunes',
  'audit_publish_cursors',
  'notification_events',
  'notification_deliveries',
  'role_management_alerts',
  'access_review_instances',
  'access_review_decisions',
  'holding_changes',
  'connector_grants',
  'connector_leases',
  'schema_migrations',
  'kysely_migration',
  'kysely_migration_lock',
]);

/** The audit log and the outbox: compared entry by entry, since a refusal may add to them. */
const EVIDENCE_TABLES = new Set(['audit_entries', 'audit_targets', 'audit_head', 'outbox_messages']);

/**
 * Event types a refused request may publish with its `failure` audit entry (and nothing else):
 * the refusal is evidence, so it is recorded (docs/architecture.md, "What happened").
 */
export const REFUSAL_EVENTS = new Set(['pim.requestRefused', 'authorization.denied']);

/**
 * Events the background jobs publish: the expiry sweeper (expiries, approval timeouts), retention,
 * alert scans (on the timer and after changes, through the outbox), connectors.
 */
const JOB_EVENTS = new Set([
  'pim.scheduleExpired',
  'pim.approvalTimedOut',
  'audit.pruned',
  'alerts.incidentsChanged',
  // The connector reconcilers: grants, revokes, drift, an unreachable target (ADR 0030).
  'connectors.grantApplied',
  'connectors.grantRevoked',
  'connectors.driftRepaired',
  'connectors.unmanagedGrantFound',
  'connectors.targetUnreachable',
]);

/** An audit entry of a background job: no request, initiated by the system (neither user nor app). */
const isJobEntry = (e: {
  correlation_id: string | null;
  initiated_by_user_id: string | null;
  initiated_by_app_id: string | null;
}) => e.correlation_id === null && e.initiated_by_user_id === null && e.initiated_by_app_id === null;

/**
 * Drops the schedule changes the sweeper makes on its own, which may land while any request runs:
 * an expiry (status `Expired`, `expiry_recorded_at` set, version + 1, nothing else) and an
 * ending-soon notice (`ending_soon_for_end_at` set to the schedule's end, nothing else).
 */
function withoutExpiryRecords(gone: string[], added: string[]): [string[], string[]] {
  const before = new Map(gone.map((r) => [(JSON.parse(r) as { id: string }).id, r]));
  const recorded = new Set<string>();
  for (const r of added) {
    const now = JSON.parse(r) as Record<string, unknown>;
    const was = before.get(now.id as string);
    if (was === undefined) continue;
    const then = JSON.parse(was) as Record<string, unknown>;
    const same = Object.keys(now).every(
      (k) => ['status', 'expiry_recorded_at', 'version'].includes(k) || now[k] === then[k],
    );
    const noticed = Object.keys(now).every((k) => k === 'ending_soon_for_end_at' || now[k] === then[k]);
    if (noticed && now.ending_soon_for_end_at === now.end_at && then.ending_soon_for_end_at !== now.end_at) {
      recorded.add(now.id as string);
      continue;
    }
    if (
      same &&
      now.status === 'Expired' &&
      then.expiry_recorded_at === null &&
      typeof now.expiry_recorded_at === 'number' &&
      now.version === (then.version as number) + 1
    )
      recorded.add(now.id as string);
  }
  const keep = (r: string) => !recorded.has((JSON.parse(r) as { id: string }).id);
  return [gone.filter(keep), added.filter(keep)];
}

export interface Digest {
  /** Table → its rows as JSON (every table but the job tables and the evidence). */
  tables: Map<string, Set<string>>;
  /** Tenant → last audit seq. */
  auditHeads: Map<string, number>;
  /** Outbox message id → the message as JSON, without the relay's `seq`. */
  outbox: Map<string, string>;
}

async function tableNames(db: Db): Promise<string[]> {
  if (db.dialect === 'sqlite') {
    const { rows } = await sql<{ name: string }>`
      select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(db.kysely);
    return rows.map((r) => r.name);
  }
  const { rows } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db.kysely);
  return rows.map((r) => r.name);
}

const names = new WeakMap<Db, string[]>();

/** What the state is now, as far as a request may change it. */
export async function digest(db: Db): Promise<Digest> {
  let own = names.get(db);
  if (!own) {
    own = (await tableNames(db)).filter((n) => !JOB_TABLES.has(n) && !EVIDENCE_TABLES.has(n));
    names.set(db, own);
  }
  const tables = new Map<string, Set<string>>(own.map((n) => [n, new Set<string>()]));
  if (db.dialect === 'postgres') {
    // One round trip for every table (the fuzz takes a digest after each request).
    const each = own.map(
      (n) => sql`select ${sql.lit(n)} as t, row_to_json(x)::text as r from ${sql.table(n)} x`,
    );
    const { rows } = await sql<{ t: string; r: string }>`${sql.join(each, sql` union all `)}`.execute(
      db.kysely,
    );
    for (const row of rows) tables.get(row.t)!.add(row.r);
  } else {
    for (const name of own) {
      const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(
        db.kysely,
      );
      tables.set(name, new Set(rows.map((r) => JSON.stringify(r))));
    }
  }
  const heads = await db.kysely.selectFrom('audit_head').select(['tenant_id', 'seq']).execute();
  const messages = await db.kysely
    .selectFrom('outbox_messages')
    .select(['id', 'tenant_id', 'type', 'occurred_at', 'payload'])
    .execute();
  return {
    tables,
    auditHeads: new Map(heads.map((h) => [h.tenant_id, Number(h.seq)])),
    outbox: new Map(messages.map((m) => [m.id, JSON.stringify(m)])),
  };
}

/**
 * What refused requests (each 4xx, answered with one of `requestIds`) changed beyond what a
 * refusal may write: `failure` audit entries correlated with one of those requests, and refusal
 * events in the outbox (besides what background jobs record on their own). One line per change
 * found (empty when they changed nothing else).
 */
export async function changesBeyondRefusal(
  db: Db,
  before: Digest,
  after: Digest,
  requestIds: ReadonlySet<string>,
): Promise<string[]> {
  const changes: string[] = [];
  for (const [table, rows] of after.tables) {
    const was = before.tables.get(table) ?? new Set<string>();
    let gone = [...was].filter((r) => !rows.has(r));
    let added = [...rows].filter((r) => !was.has(r));
    if (table === 'pim_schedules') [gone, added] = withoutExpiryRecords(gone, added);
    if (gone.length > 0 || added.length > 0)
      changes.push(
        `${table}: ${gone.length} row(s) gone ${gone.slice(0, 2).join(' ')}; ${added.length} added ${added.slice(0, 2).join(' ')}`,
      );
  }
  for (const [tenantId, seq] of after.auditHeads) {
    const from = before.auditHeads.get(tenantId) ?? 0;
    if (seq === from) continue;
    const added = await db.kysely
      .selectFrom('audit_entries')
      .select(['seq', 'code', 'result', 'correlation_id', 'initiated_by_user_id', 'initiated_by_app_id'])
      .where('tenant_id', '=', tenantId)
      .where('seq', '>', from)
      .execute();
    for (const e of added) {
      if (isJobEntry(e)) continue;
      if (e.result !== 'failure' || e.correlation_id === null || !requestIds.has(e.correlation_id))
        changes.push(`audit entry ${e.seq} (${e.code}, ${e.result}, request ${e.correlation_id ?? 'none'})`);
    }
  }
  for (const [id, h] of before.outbox) {
    const now = after.outbox.get(id);
    // A message may be pruned by the relay once delivered; it may never change.
    if (now !== undefined && now !== h) changes.push(`outbox message ${id} changed`);
  }
  const added = [...after.outbox.keys()].filter((id) => !before.outbox.has(id));
  if (added.length > 0) {
    const rows = await db.kysely
      .selectFrom('outbox_messages')
      .select(['id', 'type'])
      .where('id', 'in', added)
      .execute();
    for (const m of rows)
      if (!REFUSAL_EVENTS.has(m.type) && !JOB_EVENTS.has(m.type))
        changes.push(`outbox message ${m.id} (${m.type})`);
  }
  return changes;
}
