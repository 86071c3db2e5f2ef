import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type Db } from '../../../src/store/db.js';
import { TEST_DATABASE_URL } from '../../helpers/db.js';

/**
 * One database shared by server processes, the CLI and the test's own checks: a SQLite file in a
 * fresh data folder, or a fresh schema in TEST_DATABASE_URL's database (named in the URL, so a
 * process needs nothing but DATABASE_URL to use it).
 */
export interface SharedDatabase {
  dialect: 'sqlite' | 'postgres';
  /** `DATABASE_URL` of the server processes and the CLI. */
  url: string;
  /** A data folder of its own (bootstrap credentials, logs). */
  dataDir: string;
  /** The test's own connection, for checks. */
  db: Db;
  drop(): Promise<void>;
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function sharedDatabase(): Promise<SharedDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'elevate-reliability-'));
  if (!TEST_DATABASE_URL) {
    const url = `sqlite:${join(dataDir, 'elevate.db')}`;
    let db: Db | undefined;
    return {
      dialect: 'sqlite',
      url,
      dataDir,
      get db() {
        // Opened on first use: the server creates the file (and its modes) on its first start.
        db ??= openDatabase(url);
        return db;
      },
      async drop() {
        await db?.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const schema = `t_rel_${randomBytes(6).toString('hex')}`;
  await admin(`create schema ${schema}`);
  const separator = TEST_DATABASE_URL.includes('?') ? '&' : '?';
  const url = `${TEST_DATABASE_URL}${separator}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const db = openDatabase(TEST_DATABASE_URL, { pgSchema: schema, pgPoolSize: 2 });
  return {
    dialect: 'postgres',
    url,
    dataDir,
    db,
    async drop() {
      await db.close();
      await admin(`drop schema ${schema} cascade`);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
