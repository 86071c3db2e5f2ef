import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.js';
import { migrate, pendingMigrations } from '../../src/store/migrator.js';
import { migrations } from '../../src/store/migrations/index.js';
import { dialectName, freshDb, ownTables } from '../helpers/db.js';

const clock = { now: () => 1_700_000_000_000 };

/** Tables, columns (name, type, nullability) and indexes, in a stable order. */
async function schemaOf(db: Db): Promise<unknown> {
  const tables = await ownTables(db);
  const shape = tables
    .map((t) => ({
      table: t.name,
      columns: t.columns.map((c) => `${c.name} ${c.dataType}${c.isNullable ? '' : ' not null'}`).sort(),
    }))
    .sort((a, b) => a.table.localeCompare(b.table));
  const indexes =
    db.dialect === 'sqlite'
      ? (
          await sql<{
            name: string;
            tbl_name: string;
          }>`select name, tbl_name from sqlite_master where type = 'index' order by name`.execute(db.kysely)
        ).rows.map((r) => `${r.tbl_name}.${r.name}`)
      : (
          await sql<{
            indexname: string;
            tablename: string;
          }>`select indexname, tablename from pg_indexes where schemaname = current_schema() order by indexname`.execute(
            db.kysely,
          )
        ).rows.map((r) => `${r.tablename}.${r.indexname}`);
  return { tables: shape, indexes };
}

describe(`migrations on ${dialectName}`, () => {
  const open: Awaited<ReturnType<typeof freshDb>>[] = [];
  afterEach(async () => {
    while (open.length) await open.pop()!.drop();
  });

  it('a fresh database and one migrated step by step end with the same schema', async () => {
    const fresh = await freshDb();
    const stepwise = await freshDb();
    open.push(fresh, stepwise);
    expect(await migrate(fresh, { clock })).toEqual(migrations.map((m) => m.name));
    for (const m of migrations) {
      expect(await migrate(stepwise, { clock, to: m.name })).toEqual([m.name]);
    }
    expect(await schemaOf(stepwise)).toEqual(await schemaOf(fresh));
    expect(await pendingMigrations(fresh)).toEqual([]);
  });

  it('matches the committed schema snapshot (a schema change needs a migration)', async () => {
    const db = await freshDb();
    open.push(db);
    await migrate(db, { clock });
    await expect(JSON.stringify(await schemaOf(db), null, 2)).toMatchFileSnapshot(
      `./__snapshots__/schema.${dialectName}.json`,
    );
  });

  it('is idempotent: a second run applies nothing', async () => {
    const db = await freshDb();
    open.push(db);
    await migrate(db, { clock });
    expect(await migrate(db, { clock })).toEqual([]);
  });

  it('rolls a failing migration back entirely, bookkeeping included', async () => {
    const db = await freshDb();
    open.push(db);
    const broken = [
      {
        name: '9999_broken',
        async up(k: Parameters<(typeof migrations)[number]['up']>[0]) {
          await k.schema.createTable('half_done').addColumn('id', 'text').execute();
          throw new Error('boom');
        },
      },
    ];
    await expect(migrate(db, { clock, list: broken })).rejects.toThrow('boom');
    const tables = (await ownTables(db)).map((t) => t.name);
    expect(tables).not.toContain('half_done');
    expect(await pendingMigrations(db, broken)).toEqual(['9999_broken']);
  });
});
