import type { PostgresCursor, PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

type Result = pg.QueryResult;

/** Distinct statement texts given a name by default; the rest run unnamed (ADR 0055). */
export const DEFAULT_PG_PREPARED_STATEMENTS = 500;

/**
 * PostgreSQL answers `0A000` "cached plan must not change result type" when a table a prepared
 * statement reads changed shape since it was prepared (a rolling upgrade's migration on another
 * replica, say, before a `select *`). Nothing was written; the statement, under a new name, will
 * be prepared again, so the unit of work may run again.
 */
export function isStalePreparedStatement(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown } | null;
  return (
    err?.code === '0A000' &&
    typeof err.message === 'string' &&
    err.message.includes('cached plan must not change result type')
  );
}

/** The first word of a statement, lower-case: how a client's transaction state is followed. */
const firstWord = (text: string): string => {
  const m = /^\s*([A-Za-z]+)(\s+[A-Za-z]+)?/.exec(text);
  if (!m) return '';
  const word = m[1]!.toLowerCase();
  // `rollback to [savepoint] x` stays in the transaction.
  return word === 'rollback' && m[2]?.trim().toLowerCase() === 'to' ? 'rollback to' : word;
};

/**
 * The pool Kysely uses, with each statement that has parameters run as a named prepared statement
 * (ADR 0055): PostgreSQL parses and plans it once per connection instead of on every run, and the
 * client sends only `Bind`/`Execute`. Up to `maxStatements` distinct texts get a name (the hot
 * paths use about a hundred; a text built with a varying `in (…)` list may not); the others, and
 * every statement without parameters (`begin`, `commit`, DDL), run as before. A statement whose
 * table changed shape since it was prepared (`isStalePreparedStatement`) gets a new name, so each
 * connection prepares it again; outside a transaction it is run again at once, unnamed; inside one
 * the error ends the transaction, and the unit of work runs it again.
 */
export function preparedStatementPool(pool: pg.Pool, maxStatements: number): PostgresPool {
  if (!Number.isSafeInteger(maxStatements) || maxStatements < 1)
    throw new RangeError('maxStatements must be a positive integer');
  const names = new Map<string, string>();
  let next = 0;
  const nameOf = (text: string): string | undefined => {
    let name = names.get(text);
    if (name === undefined && names.size < maxStatements) {
      name = `elevate_${(next += 1)}`;
      names.set(text, name);
    }
    return name;
  };

  const wrapped = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let inTransaction = false;
    async function run(text: string, values: readonly unknown[]): Promise<Result> {
      const word = firstWord(text);
      if (word === 'begin' || word === 'start') inTransaction = true;
      else if (word === 'commit' || word === 'rollback' || word === 'end') inTransaction = false;
      const name = values.length > 0 ? nameOf(text) : undefined;
      if (name === undefined) return client.query(text, [...values]);
      try {
        return await client.query({ name, text, values: [...values] });
      } catch (e) {
        if (!isStalePreparedStatement(e)) throw e;
        if (names.get(text) === name) names.delete(text);
        if (inTransaction) throw e;
        return client.query(text, [...values]);
      }
    }
    return {
      query: ((textOrCursor: string | PostgresCursor<unknown>, values?: readonly unknown[]) =>
        typeof textOrCursor === 'string'
          ? run(textOrCursor, values ?? [])
          : client.query(textOrCursor as never)) as unknown as PostgresPoolClient['query'],
      release: (destroy?: boolean) => {
        inTransaction = false;
        client.release(destroy);
      },
    };
  };

  return {
    async connect() {
      const client = await pool.connect();
      let w = wrapped.get(client);
      if (w === undefined) {
        w = wrap(client);
        wrapped.set(client, w);
      }
      return w;
    },
    end: () => pool.end(),
  };
}
