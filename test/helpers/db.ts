import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { openDatabase, type Db } from '../../src/store/db.js';

/** The dialect this test run uses: PostgreSQL when TEST_DATABASE_URL is set, else SQLite. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;
export const dialectName = TEST_DATABASE_URL ? 'postgres' : 'sqlite';

/** Skip reason (test/helpers/skip.ts) of a test that needs PostgreSQL, or undefined when this run has it. */
export const postgresOnly =
  dialectName === 'postgres' ? undefined : 'PostgreSQL only (run npm run test:pg; it sets TEST_DATABASE_URL)';

/** Skip reason of a test of SQLite itself (query plans), or undefined on SQLite. */
export const sqliteOnly = dialectName === 'sqlite' ? undefined : 'SQLite only (runs in npm test)';

/**
 * A fresh, empty database for one test: in-memory SQLite (a file in a temp dir with `sqliteFile`), or a new schema with a random name in
 * the PostgreSQL database of TEST_DATABASE_URL (dropped again by `drop`), so runs never see each
 * other's data. `pgPoolSize` sizes the PostgreSQL pool (tests of real concurrency want more).
 */
export async function freshDb(
  options: { pgPoolSize?: number; sqliteFile?: boolean } = {},
): Promise<Db & { drop(): Promise<void> }> {
  if (!TEST_DATABASE_URL && options.sqliteFile) {
    // A file, for tests where other threads open the same database (parallel audit verification).
    const dir = mkdtempSync(join(tmpdir(), 'elevate-test-'));
    const db = openDatabase(`sqlite:${join(dir, 'test.db')}`);
    return { ...db, drop: async () => (await db.close(), rmSync(dir, { recursive: true, force: true })) };
  }
  if (!TEST_DATABASE_URL) {
    const db = openDatabase('sqlite::memory:');
    return { ...db, drop: () => db.close() };
  }
  const schema = `t_${randomBytes(8).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const db = openDatabase(TEST_DATABASE_URL, { pgSchema: schema, pgPoolSize: options.pgPoolSize ?? 5 });
  return {
    ...db,
    async drop() {
      await db.close();
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
    },
  };
}

/** A table of the test's own database or schema, with the column facts tests compare. */
export interface OwnTable {
  name: string;
  isView: boolean;
  columns: { name: string; dataType: string; isNullable: boolean }[];
}

/**
 * The tables (and views) of this test's own database or schema. On PostgreSQL this reads the
 * catalog of the current schema only: Kysely's introspection lists every schema in the database and
 * fails (`schema "t_…" does not exist`) when another test file drops its schema meanwhile.
 */
export async function ownTables(db: Db): Promise<OwnTable[]> {
  if (db.dialect === 'sqlite') return db.kysely.introspection.getTables();
  const { rows } = await sql<{
    table: string;
    kind: string;
    column: string;
    type: string;
    not_null: boolean;
  }>`
    select c.relname as table, c.relkind as kind, a.attname as column, t.typname as type,
      a.attnotnull as not_null
    from pg_catalog.pg_attribute a
    join pg_catalog.pg_class c on c.oid = a.attrelid
    join pg_catalog.pg_type t on t.oid = a.atttypid
    where c.relnamespace = current_schema()::regnamespace
      and c.relkind in ('r', 'v', 'p')
      and c.relname not in ('kysely_migration', 'kysely_migration_lock')
      and a.attnum > 0 and not a.attisdropped
    order by c.relname, a.attnum`.execute(db.kysely);
  const tables = new Map<string, OwnTable>();
  for (const r of rows) {
    let table = tables.get(r.table);
    if (!table) tables.set(r.table, (table = { name: r.table, isView: r.kind === 'v', columns: [] }));
    table.columns.push({ name: r.column, dataType: r.type, isNullable: !r.not_null });
  }
  return [...tables.values()];
}
