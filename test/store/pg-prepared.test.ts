import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createUnitOfWork } from '../../src/modules/unit-of-work.js';
import type { Db } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrator.js';
import { systemClock } from '../../src/domain/time/clock.js';
import { freshDb, postgresOnly, TEST_DATABASE_URL } from '../helpers/db.js';
import { skipFor } from '../helpers/skip.js';

/**
 * Named prepared statements on PostgreSQL (ADR 0055): a statement with parameters is prepared
 * once per connection, and a table that changes shape under a prepared `select *` (another
 * replica's migration) costs at most one run of a unit of work, never an error to the caller.
 */
describe('PostgreSQL prepared statements', skipFor(postgresOnly), () => {
  let db: Db & { drop(): Promise<void> };
  /** Another session on the same schema: what another replica's migration would be. */
  let other: pg.Client;

  beforeEach(async () => {
    // One connection, so every statement below runs on the session that prepared it.
    db = await freshDb({ pgPoolSize: 1 });
    await migrate(db, { clock: systemClock });
    const schema = (await sql<{ s: string }>`select current_schema() as s`.execute(db.kysely)).rows[0]!.s;
    other = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${schema}` });
    await other.connect();
    await other.query(
      "insert into tenants (id, display_name, created_at) values ('t1', 'One', 1), ('t2', 'Two', 2)",
    );
  });
  afterEach(async () => {
    await other?.end();
    await db.drop();
  });

  const prepared = async () =>
    (
      await sql<{
        name: string;
        statement: string;
      }>`select name, statement from pg_prepared_statements`.execute(db.kysely)
    ).rows;

  it('prepares a statement with parameters once and runs it by name after', async () => {
    const read = (id: string) =>
      db.kysely.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
    expect((await read('t1'))?.display_name).toBe('One');
    const named = (await prepared()).filter((p) => p.statement.includes('from "tenants" where "id" = $1'));
    expect(named).toHaveLength(1);
    expect(named[0]!.name).toMatch(/^elevate_\d+$/);
    expect((await read('t2'))?.display_name).toBe('Two');
    expect((await prepared()).filter((p) => p.statement.includes('from "tenants" where "id" = $1'))).toEqual(
      named,
    );
    // Statements without parameters stay unnamed (`begin`, `commit`, this catalog read).
    expect((await prepared()).every((p) => p.statement.includes('$1'))).toBe(true);
  });

  it('a table changed under a prepared select: outside a transaction it is answered at once', async () => {
    const read = () =>
      db.kysely.selectFrom('tenants').selectAll().where('id', '=', 't1').executeTakeFirstOrThrow();
    expect(Object.keys(await read())).not.toContain('probe');
    await other.query('alter table tenants add column probe text');
    expect(await read()).toMatchObject({ id: 't1', probe: null });
    expect(await read()).toMatchObject({ id: 't1', probe: null });
  });

  it('inside a transaction the stale statement aborts it, and a unit of work runs again', async () => {
    const uow = createUnitOfWork(db);
    expect((await uow.run((tx) => tx.tenants.get('t1')))?.displayName).toBe('One');
    await other.query('alter table tenants add column probe text');
    let runs = 0;
    const t = await uow.run(async (tx) => {
      runs += 1;
      return tx.tenants.get('t1');
    });
    expect(t?.displayName).toBe('One');
    expect(runs).toBe(2);
  });
});
