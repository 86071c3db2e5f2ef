import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Db } from '../../src/store/db.js';

/** The dialect this test run uses: PostgreSQL when TEST_DATABASE_URL is set, else SQLite. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;
export const dialectName = TEST_DATABASE_URL ? 'postgres' : 'sqlite';

/**
 * A fresh, empty database for one test: in-memory SQLite, or a new schema with a random name in
 * the PostgreSQL database of TEST_DATABASE_URL (dropped again by `drop`), so runs never see each
 * other's data.
 */
export async function freshDb(): Promise<Db & { drop(): Promise<void> }> {
  if (!TEST_DATABASE_URL) {
    const db = openDatabase('sqlite::memory:');
    return { ...db, drop: () => db.close() };
  }
  const schema = `t_${randomBytes(8).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const db = openDatabase(TEST_DATABASE_URL, { pgSchema: schema, pgPoolSize: 5 });
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
