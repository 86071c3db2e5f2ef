import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { DEFAULT_PG_PREPARED_STATEMENTS, preparedStatementPool } from './pg-prepared.js';
import type { Database } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Db {
  readonly kysely: Kysely<Database>;
  readonly dialect: Dialect;
  close(): Promise<void>;
  /**
   * How to open this database again, from another thread (parallel audit verification): absent
   * for an in-memory SQLite database, which only its own connection can see.
   */
  readonly reopen?: { url: string; options: DbOptions };
  /**
   * PostgreSQL only: a dedicated connection (outside the pool) that `LISTEN`s on `channel`.
   * `lost` is called once if the connection fails; the caller listens again.
   */
  listen?(channel: string, handlers: NotificationHandlers): Promise<Listener>;
}

export interface NotificationHandlers {
  notify(payload: string): void;
  lost(err: Error): void;
}

export interface Listener {
  /** The schema this connection uses (`current_schema()`), which notification payloads name. */
  readonly schema: string;
  close(): Promise<void>;
}

export interface DbOptions {
  /** PostgreSQL only: the schema to use (tests give each run its own). */
  pgSchema?: string;
  /** PostgreSQL only: pool size (default 10). */
  pgPoolSize?: number;
  /**
   * PostgreSQL only: how many distinct statement texts run as named prepared statements (default
   * `DEFAULT_PG_PREPARED_STATEMENTS`; 0: none, for a pooler that cannot keep them). ADR 0055.
   */
  pgPreparedStatements?: number;
}

/**
 * Opens the database named by `DATABASE_URL`: `sqlite:<path>` / `sqlite::memory:` (embedded default)
 * or `postgres://…`. SQLite runs in WAL mode with synchronous=FULL, foreign keys on and a busy timeout.
 */
export function openDatabase(url: string, options: DbOptions = {}): Db {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    const db = openSqlite(path);
    return path === ':memory:' || path === '' ? db : { ...db, reopen: { url, options: {} } };
  }
  if (/^postgres(ql)?:\/\//.test(url)) return { ...openPostgres(url, options), reopen: { url, options } };
  throw new Error('DATABASE_URL must start with sqlite: or postgres://');
}

/** The modes of a SQLite database's folder and files: only the server's own user reads them. */
export const SQLITE_DIR_MODE = 0o700;
export const SQLITE_FILE_MODE = 0o600;

function openSqlite(path: string): Db {
  const onDisk = path !== ':memory:' && path !== '';
  if (onDisk) privateFiles(path);
  const sqlite = onDisk ? withPrivateUmask(() => new BetterSqlite3(path)) : new BetterSqlite3(path);
  withPrivateUmask(() => sqlite.pragma('journal_mode = WAL'));
  if (onDisk) privateFiles(path);
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const kysely = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
  });
  return { kysely, dialect: 'sqlite', close: () => kysely.destroy() };
}

/**
 * Makes the database's folder (when it is created here) mode 0700 and the database, `-wal` and
 * `-shm` files that exist mode 0600; the database file is created empty with 0600 before SQLite
 * opens it. An existing folder keeps its mode (it may be shared, e.g. /var/lib).
 */
function privateFiles(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: SQLITE_DIR_MODE });
  if (!existsSync(path)) closeSync(openSync(path, 'a', SQLITE_FILE_MODE));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (existsSync(file)) chmodSync(file, SQLITE_FILE_MODE);
  }
}

/**
 * SQLite creates `-wal` and `-shm` with the mode of the database file (on Unix), but re-creates
 * them on each open after a clean close; the umask is narrowed while it may create them, so that
 * no file is ever readable by others, even briefly. `process.umask` is unavailable in workers.
 */
function withPrivateUmask<T>(fn: () => T): T {
  let previous: number | undefined;
  try {
    previous = process.umask(0o077);
  } catch {
    previous = undefined;
  }
  try {
    return fn();
  } finally {
    if (previous !== undefined) process.umask(previous);
  }
}

/** How many prepared statements one SQLite connection keeps; the hot paths use a few dozen. */
export const STATEMENT_CACHE_SIZE = 1000;

/**
 * Kysely's SQLite driver prepares every statement anew on every query, which costs as much as
 * running it. Statements are keyed by their SQL text (values are bound parameters, so the text set
 * is small) and kept in a bounded LRU map. Reuse is safe: Kysely runs one query at a time on the
 * single connection, and a streamed query holds that connection until its iteration ends.
 */
function withStatementCache(sqlite: BetterSqlite3.Database): BetterSqlite3.Database {
  const cache = new Map<string, BetterSqlite3.Statement>();
  const prepare = sqlite.prepare.bind(sqlite);
  return new Proxy(sqlite, {
    get(target, prop, receiver) {
      if (prop !== 'prepare') {
        const value = Reflect.get(target, prop, receiver) as unknown;
        // Native methods must run on the real database object, not on the proxy.
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      }
      return (sql: string) => {
        const hit = cache.get(sql);
        if (hit) {
          cache.delete(sql);
          cache.set(sql, hit);
          return hit;
        }
        const stmt = prepare(sql);
        cache.set(sql, stmt);
        if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
        return stmt;
      };
    },
  });
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

function openPostgres(url: string, options: DbOptions): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.pgPoolSize ?? 10,
    ...(options.pgSchema ? { options: `-c search_path=${quoteIdent(options.pgSchema)}` } : {}),
    types: {
      getTypeParser: ((oid: number, format?: string) => {
        // Epoch-ms times are BIGINT; they fit in a double exactly up to year 285,616.
        if (oid === INT8_OID || oid === NUMERIC_OID) return (v: string) => Number(v);
        return pg.types.getTypeParser(oid, format as 'text') as (v: string) => unknown;
      }) as typeof pg.types.getTypeParser,
    },
  });
  const prepared = options.pgPreparedStatements ?? DEFAULT_PG_PREPARED_STATEMENTS;
  const kysely = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: prepared > 0 ? preparedStatementPool(pool, prepared) : pool }),
  });
  return {
    kysely,
    dialect: 'postgres',
    close: () => kysely.destroy(),
    async listen(channel, handlers) {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`invalid channel name: ${channel}`);
      const client = new pg.Client({
        connectionString: url,
        ...(options.pgSchema ? { options: `-c search_path=${quoteIdent(options.pgSchema)}` } : {}),
      });
      let closed = false;
      let lostOnce = false;
      const lose = (err: Error) => {
        if (closed || lostOnce) return;
        lostOnce = true;
        client.end().catch(() => undefined);
        handlers.lost(err);
      };
      client.on('error', lose);
      client.on('end', () => lose(new Error('notification connection ended')));
      client.on('notification', (n) => {
        if (n.channel === channel && n.payload !== undefined) handlers.notify(n.payload);
      });
      await client.connect();
      const { rows } = await client.query<{ schema: string }>('select current_schema() as schema');
      await client.query(`listen ${channel}`);
      return {
        schema: rows[0]?.schema ?? 'public',
        async close() {
          closed = true;
          await client.end().catch(() => undefined);
        },
      };
    },
  };
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`invalid schema name: ${name}`);
  return name;
}
