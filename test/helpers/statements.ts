import { AsyncLocalStorage } from 'node:async_hooks';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';

type Method = (this: unknown, ...args: unknown[]) => unknown;

/** What `countStatements` hands back: the SQL of every statement run while recording. */
export interface StatementLog {
  /**
   * Runs `work` and returns the SQL text of each statement the drivers ran on its behalf (in its
   * async context: a background job's statements at the same time are not its own).
   */
  during(work: () => Promise<unknown>): Promise<string[]>;
  /** Puts the drivers back as they were (call in `afterAll`: test files share a worker). */
  restore(): void;
}

/**
 * Counts the statements the real drivers run: better-sqlite3's statement calls (`run`, `all`,
 * `get`, `iterate`; Kysely runs `begin` and `commit` as statements too) and `pg` client queries,
 * one round trip each. Databases opened after this call are counted (SQLite statements are
 * wrapped as they are prepared); nothing is faked, every statement still runs.
 */
export function countStatements(): StatementLog {
  const recording = new AsyncLocalStorage<string[]>();
  const note = (sql: string) => recording.getStore()?.push(sql.replace(/\s+/g, ' ').trim());

  const database = BetterSqlite3.prototype as unknown as { prepare: Method };
  const prepare = database.prepare;
  database.prepare = function (this: unknown, ...args: unknown[]) {
    const statement = prepare.apply(this, args) as Record<string, Method>;
    for (const name of ['run', 'all', 'get', 'iterate']) {
      const call = statement[name]!;
      statement[name] = function (this: unknown, ...callArgs: unknown[]) {
        note(String(args[0]));
        return call.apply(statement, callArgs);
      };
    }
    return statement;
  };

  const client = pg.Client.prototype as unknown as { query: Method };
  const query = client.query;
  client.query = function (this: unknown, ...args: unknown[]) {
    const first = args[0] as string | { text?: string };
    note(typeof first === 'string' ? first : (first.text ?? ''));
    return query.apply(this, args);
  };

  return {
    async during(work) {
      const statements: string[] = [];
      await recording.run(statements, work);
      return statements;
    },
    restore() {
      database.prepare = prepare;
      client.query = query;
    },
  };
}
