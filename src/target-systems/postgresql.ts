import pg from 'pg';
import type { TargetCheck, TargetSystem } from '../app/connectors/ports.js';
import type { ConnectorSettings } from '../domain/connectors/connector.js';
import type { ActualGrant } from '../domain/connectors/grant.js';
import { describeError } from './errors.js';

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
/** What Elevate writes on the logins it creates, so a DBA sees who owns them. */
export const ELEVATE_MARK = 'Managed by Elevate (login created for just-in-time grants)';

/**
 * PostgreSQL (docs/connectors.md): membership in a role (`GRANT role TO login`), the login created
 * when missing and `createLogins` is set (and marked with a comment), the login's sessions ended
 * with `pg_terminate_backend` at revoke. Elevate's account needs `CREATEROLE` and `ADMIN OPTION` on
 * the mapped roles (or superuser), and `pg_signal_backend` to end sessions.
 */
export function postgresqlTarget(s: ConnectorSettings, secret: string | null): TargetSystem {
  const where = `PostgreSQL at ${s.host}:${s.port}`;
  const pool = new pg.Pool({
    host: s.host,
    port: s.port,
    database: s.database ?? 'postgres',
    user: s.username ?? undefined,
    ...(secret === null ? {} : { password: secret }),
    // Grants of one reconcile run a few at a time (GRANT_CONCURRENCY in app/connectors/reconcile.ts).
    max: 4,
    connectionTimeoutMillis: 5_000,
    // A target that stops answering fails the reconcile (which backs off) instead of hanging it.
    query_timeout: 10_000,
    idleTimeoutMillis: 10_000,
    application_name: 'elevate-connector',
  });
  // An idle connection the server closed must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);

  const loginExists = async (login: string) =>
    (await pool.query('select 1 from pg_roles where rolname = $1', [login])).rowCount === 1;

  /** Members of the target roles: all, or those among `logins` (a reconcile of a few users). */
  async function members(targets: readonly string[], logins: readonly string[] | null) {
    if (targets.length === 0 || logins?.length === 0) return [];
    const r = await pool.query<ActualGrant>(
      `select g.rolname as target, m.rolname as login
         from pg_auth_members am
         join pg_roles g on g.oid = am.roleid
         join pg_roles m on m.oid = am.member
        where g.rolname = any($1::text[])${logins === null ? '' : ' and m.rolname = any($2::text[])'}`,
      logins === null ? [[...targets]] : [[...targets], [...logins]],
    );
    return r.rows;
  }

  return {
    // One round trip for a login that exists (the common case once logins are made); the login is
    // looked for only when the GRANT failed, and then created, marked and granted in one more.
    async grant({ target, login }) {
      try {
        await pool.query(`grant ${ident(target)} to ${ident(login)}`);
        return;
      } catch (e) {
        if (await loginExists(login)) throw e; // the target role is missing, or no ADMIN OPTION
      }
      if (!s.createLogins) throw new Error(`The login "${login}" does not exist in ${where}.`);
      try {
        // Simple-query protocol: three statements, one round trip, one implicit transaction.
        await pool.query(
          `create role ${ident(login)} login; comment on role ${ident(login)} is '${ELEVATE_MARK}'; ` +
            `grant ${ident(target)} to ${ident(login)}`,
        );
      } catch (e) {
        if (!(await loginExists(login))) throw e;
        // Created concurrently (another grant to the same login): grant to it.
        await pool.query(`grant ${ident(target)} to ${ident(login)}`);
      }
    },

    async revoke({ target, login }) {
      if (!(await loginExists(login))) return;
      await pool.query(`revoke ${ident(target)} from ${ident(login)}`);
    },

    list: (targets) => members(targets, null),
    listFor: (targets, logins) => members(targets, logins),

    async endSessions(login) {
      const r = await pool.query<{ n: string }>(
        `select count(*) as n from (
           select pg_terminate_backend(pid) from pg_stat_activity
            where usename = $1 and pid <> pg_backend_pid()) t`,
        [login],
      );
      return Number(r.rows[0]?.n ?? 0);
    },

    async test(targets): Promise<TargetCheck> {
      let me: { rolsuper: boolean; rolcreaterole: boolean } | undefined;
      try {
        me = (
          await pool.query<{ rolsuper: boolean; rolcreaterole: boolean }>(
            'select rolsuper, rolcreaterole from pg_roles where rolname = current_user',
          )
        ).rows[0];
      } catch (e) {
        return {
          ok: false,
          message: `Could not sign in to ${where} as "${s.username}": ${describeError(e)}`,
        };
      }
      if (me === undefined || (!me.rolsuper && !me.rolcreaterole))
        return { ok: false, message: `"${s.username}" lacks CREATEROLE in ${where}: it cannot grant roles.` };
      for (const t of targets) {
        const r = await pool.query<{ admin: boolean }>(
          `select pg_has_role(current_user, oid, 'USAGE WITH ADMIN OPTION') as admin from pg_roles where rolname = $1`,
          [t],
        );
        const row = r.rows[0];
        if (row === undefined)
          return { ok: false, message: `The mapped role "${t}" does not exist in ${where}.` };
        if (!me.rolsuper && !row.admin)
          return {
            ok: false,
            message: `"${s.username}" has no ADMIN OPTION on the mapped role "${t}" in ${where}.`,
          };
      }
      return {
        ok: true,
        message: `Connected to ${where} as "${s.username}"; ${targets.length} mapped role(s) found.`,
      };
    },

    close: () => pool.end(),
  };
}
