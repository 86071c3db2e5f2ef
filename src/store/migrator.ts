import { sql, type Kysely } from 'kysely';
import type { Db } from './db.js';
import { migrations as allMigrations, type Migration } from './migrations/index.js';

/**
 * Applies pending migrations, each in its own transaction together with its bookkeeping row.
 * SQLite's DDL is transactional, so this holds on both dialects (Kysely's own migrator does not
 * wrap SQLite migrations). On PostgreSQL an advisory lock keeps concurrent replicas from racing.
 * @returns the names applied now.
 */
export async function migrate(
  db: Db,
  options: { clock: { now(): number }; to?: string; list?: readonly Migration[] },
): Promise<string[]> {
  const list = options.list ?? allMigrations;
  const now = () => options.clock.now();
  await db.kysely.schema
    .createTable('schema_migrations')
    .ifNotExists()
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('applied_at', 'bigint', (c) => c.notNull())
    .execute();
  const applied: string[] = [];
  for (const m of list) {
    const done = await db.kysely.transaction().execute(async (trx) => {
      if (db.dialect === 'postgres') await sql`select pg_advisory_xact_lock(72616)`.execute(trx);
      const row = await trx
        .selectFrom('schema_migrations')
        .select('name')
        .where('name', '=', m.name)
        .executeTakeFirst();
      if (row) return false;
      await m.up(trx as unknown as Kysely<unknown>);
      await trx.insertInto('schema_migrations').values({ name: m.name, applied_at: now() }).execute();
      return true;
    });
    if (done) applied.push(m.name);
    if (options.to === m.name) break;
  }
  return applied;
}

/** Names of migrations not yet applied (readiness reports "migrations current" when empty). */
export async function pendingMigrations(
  db: Db,
  list: readonly Migration[] = allMigrations,
): Promise<string[]> {
  const rows = await db.kysely
    .selectFrom('schema_migrations')
    .select('name')
    .execute()
    .catch(() => []);
  const done = new Set(rows.map((r) => r.name));
  return list.filter((m) => !done.has(m.name)).map((m) => m.name);
}
