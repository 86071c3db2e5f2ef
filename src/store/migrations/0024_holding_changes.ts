import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * The change feed of the in-memory holdings index (docs/authzen-index.md, ADR 0031).
 *
 * `holding_changes` gets one row per principal whose holdings a write touched: its assignment
 * schedules (`s`), its direct role assignments (`d`), its standing group memberships (`m`) or its
 * account (`a`: created, deleted, enabled or disabled, a service principal's app permissions). Triggers write the rows, so every writer is covered (use cases,
 * the sweeper, the CLI, an operator's SQL) and nobody has to remember to. On PostgreSQL the same
 * trigger also sends `NOTIFY elevate_holdings`: it is delivered when the writing transaction
 * commits, and never when it rolls back, which is what keeps other replicas' indexes current.
 *
 * - SQLite: the server (the only process that serves, see the docs) reads rows by increasing `id`
 *   after each commit and on a short timer, and deletes what it read.
 * - PostgreSQL: a unit of work reads the rows of its own transaction (`txid`) before it commits, so
 *   its own replica's index is current when the use case returns; rows older than a few minutes are
 *   deleted by the periodic full check.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  if (postgres) {
    await sql`create table holding_changes (
      id bigserial primary key,
      tenant_id text not null,
      principal_id text not null,
      source text not null,
      txid bigint not null default txid_current(),
      at bigint not null default (extract(epoch from clock_timestamp()) * 1000)::bigint
    )`.execute(db);
    await sql`create index holding_changes_txid_idx on holding_changes (txid)`.execute(db);
    await sql`create index holding_changes_at_idx on holding_changes (at)`.execute(db);
    await sql`create function elevate_holding_changed(t text, p text, src text) returns void
      language plpgsql as $$
      begin
        insert into holding_changes (tenant_id, principal_id, source) values (t, p, src);
        perform pg_notify('elevate_holdings', current_schema() || ' ' || t || ' ' || p || ' ' || src);
      end $$`.execute(db);
    for (const t of TRIGGERS) {
      await sql
        .raw(
          `create function ${t.name}() returns trigger language plpgsql as $$
          begin
            if TG_OP <> 'INSERT' and (${t.old}) then
              perform elevate_holding_changed(OLD.tenant_id, OLD.${t.principal}, '${t.source}');
            end if;
            if TG_OP <> 'DELETE' and (${t.new}) then
              perform elevate_holding_changed(NEW.tenant_id, NEW.${t.principal}, '${t.source}');
            end if;
            return null;
          end $$`,
        )
        .execute(db);
      await sql
        .raw(
          `create trigger ${t.name}_ins after insert on ${t.table} for each row when (${t.new})
           execute procedure ${t.name}()`,
        )
        .execute(db);
      await sql
        .raw(
          `create trigger ${t.name}_del after delete on ${t.table} for each row when (${t.old})
           execute procedure ${t.name}()`,
        )
        .execute(db);
      await sql
        .raw(
          `create trigger ${t.name}_upd after update on ${t.table} for each row
           when (((${t.old}) or (${t.new})) and (${t.changed('is distinct from')}))
           execute procedure ${t.name}()`,
        )
        .execute(db);
    }
    return;
  }
  await sql`create table holding_changes (
    id integer primary key autoincrement,
    tenant_id text not null,
    principal_id text not null,
    source text not null,
    txid bigint,
    at bigint
  )`.execute(db);
  for (const t of TRIGGERS) {
    const note = (row: 'OLD' | 'NEW') =>
      `insert into holding_changes (tenant_id, principal_id, source) values (${row}.tenant_id, ${row}.${t.principal}, '${t.source}');`;
    await sql
      .raw(
        `create trigger ${t.name}_ins after insert on ${t.table} for each row when ${paren(t.new)} begin ${note('NEW')} end`,
      )
      .execute(db);
    await sql
      .raw(
        `create trigger ${t.name}_del after delete on ${t.table} for each row when ${paren(t.old)} begin ${note('OLD')} end`,
      )
      .execute(db);
    await sql
      .raw(
        `create trigger ${t.name}_upd after update on ${t.table} for each row
         when (${paren(t.old)} or ${paren(t.new)}) and (${t.changed('is not')})
         begin ${note('OLD')} ${note('NEW')} end`,
      )
      .execute(db);
  }
}

const paren = (s: string) => `(${s})`;

interface HoldingTrigger {
  name: string;
  table: string;
  principal: string;
  source: 's' | 'd' | 'm' | 'a';
  /** Whether the old row (update, delete) counts; SQL over `OLD.`. */
  old: string;
  /** Whether the new row (insert, update) counts; SQL over `NEW.`. */
  new: string;
  /** Whether an update changed anything the index keeps, with the dialect's null-safe "differs". */
  changed(differs: string): string;
}

const differ = (columns: readonly string[]) => (op: string) =>
  columns.map((c) => `OLD.${c} ${op} NEW.${c}`).join(' or ');

const TRIGGERS: readonly HoldingTrigger[] = [
  {
    name: 'holdings_pim_schedules',
    table: 'pim_schedules',
    principal: 'principal_id',
    source: 's',
    old: "OLD.kind = 'assignment'",
    new: "NEW.kind = 'assignment'",
    changed: differ([
      'tenant_id',
      'kind',
      'principal_id',
      'role_definition_id',
      'directory_scope_id',
      'resource_type',
      'start_at',
      'end_at',
      'instance_id',
      'member_type',
      'assignment_type',
    ]),
  },
  {
    name: 'holdings_role_assignments',
    table: 'role_assignments',
    principal: 'principal_id',
    source: 'd',
    old: 'true',
    new: 'true',
    changed: differ(['tenant_id', 'principal_id', 'role_definition_id', 'directory_scope_id']),
  },
  {
    name: 'holdings_group_members',
    table: 'group_members',
    principal: 'member_id',
    source: 'm',
    old: 'true',
    new: 'true',
    changed: differ(['tenant_id', 'group_id', 'member_id']),
  },
  {
    name: 'holdings_users',
    table: 'users',
    principal: 'id',
    source: 'a',
    old: 'true',
    new: 'true',
    changed: differ(['tenant_id', 'id', 'account_enabled']),
  },
  {
    name: 'holdings_service_principals',
    table: 'service_principals',
    principal: 'id',
    source: 'a',
    old: 'true',
    new: 'true',
    changed: differ(['tenant_id', 'id', 'account_enabled', 'app_permissions']),
  },
];
