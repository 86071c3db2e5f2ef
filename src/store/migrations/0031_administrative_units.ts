import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * Administrative units, and the resource catalogue in the holdings index's change feed (issue 13,
 * ADR 0042).
 *
 * - `administrative_units`: Graph's `administrativeUnit` (assigned membership only).
 * - `administrative_unit_members`: its members, users and groups, one row each. A directory role
 *   held at `/administrativeUnits/{id}` grants its permissions over these members only.
 * - Triggers on `resource_scopes` (`r`, the scope path in `principal_id`) and
 *   `resource_role_definitions` (`p`, the role id) write the holdings change feed of migration 0024
 *   (and on PostgreSQL notify `elevate_holdings`), so the index answers resource permissions from
 *   memory and stays exact on every commit and across replicas, whoever writes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('administrative_units')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('visibility', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('modified_at', 'bigint', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('administrative_units_pk', ['tenant_id', 'id'])
    .execute();
  await db.schema
    .createTable('administrative_unit_members')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('unit_id', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('member_type', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('administrative_unit_members_pk', ['tenant_id', 'unit_id', 'member_id'])
    .execute();
  await db.schema
    .createIndex('administrative_unit_members_by_member')
    .on('administrative_unit_members')
    .columns(['tenant_id', 'member_id'])
    .execute();

  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  for (const t of CATALOGUE_TRIGGERS) {
    const changed = t.columns
      .map((c) => `OLD.${c} ${postgres ? 'is distinct from' : 'is not'} NEW.${c}`)
      .join(' or ');
    if (postgres) {
      await sql
        .raw(
          `create function ${t.name}() returns trigger language plpgsql as $$
          begin
            if TG_OP <> 'INSERT' then
              perform elevate_holding_changed(OLD.tenant_id, OLD.id, '${t.source}');
            end if;
            if TG_OP <> 'DELETE' then
              perform elevate_holding_changed(NEW.tenant_id, NEW.id, '${t.source}');
            end if;
            return null;
          end $$`,
        )
        .execute(db);
      await sql
        .raw(
          `create trigger ${t.name}_ins after insert on ${t.table} for each row execute procedure ${t.name}()`,
        )
        .execute(db);
      await sql
        .raw(
          `create trigger ${t.name}_del after delete on ${t.table} for each row execute procedure ${t.name}()`,
        )
        .execute(db);
      await sql
        .raw(
          `create trigger ${t.name}_upd after update on ${t.table} for each row when (${changed})
           execute procedure ${t.name}()`,
        )
        .execute(db);
      continue;
    }
    const note = (row: 'OLD' | 'NEW') =>
      `insert into holding_changes (tenant_id, principal_id, source) values (${row}.tenant_id, ${row}.id, '${t.source}');`;
    await sql
      .raw(`create trigger ${t.name}_ins after insert on ${t.table} for each row begin ${note('NEW')} end`)
      .execute(db);
    await sql
      .raw(`create trigger ${t.name}_del after delete on ${t.table} for each row begin ${note('OLD')} end`)
      .execute(db);
    await sql
      .raw(
        `create trigger ${t.name}_upd after update on ${t.table} for each row when (${changed})
         begin ${note('OLD')} ${note('NEW')} end`,
      )
      .execute(db);
  }
}

/** The resource catalogue's tables in the feed: what a permission answer reads of each. */
const CATALOGUE_TRIGGERS = [
  { name: 'holdings_resource_scopes', table: 'resource_scopes', source: 'r', columns: ['tenant_id', 'id'] },
  {
    name: 'holdings_resource_roles',
    table: 'resource_role_definitions',
    source: 'p',
    columns: ['tenant_id', 'id', 'role_name', 'permissions'],
  },
] as const;
