import mysql from 'mysql2/promise';
import type { TargetCheck, TargetSystem } from '../app/connectors/ports.js';
import type { ConnectorSettings } from '../domain/connectors/connector.js';
import type { ActualGrant } from '../domain/connectors/grant.js';
import { describeError } from './errors.js';

/** Logins Elevate grants to are `'login'@'%'` (docs/connectors.md). */
const LOGIN_HOST = '%';

/**
 * MariaDB (docs/connectors.md): `GRANT role TO 'login'@'%'` and `SET DEFAULT ROLE` (so a new
 * session has it without `SET ROLE`), `REVOKE` and `KILL CONNECTION` of the login's sessions at
 * revoke; the login created when missing and `createLogins` is set. Elevate's account needs the
 * mapped roles `WITH ADMIN OPTION`, `CREATE USER` to create logins, and `CONNECTION ADMIN` (or
 * `SUPER`) to end other accounts' sessions, and read access to `mysql.roles_mapping`.
 */
export function mariadbTarget(s: ConnectorSettings, secret: string | null): TargetSystem {
  const where = `MariaDB at ${s.host}:${s.port}`;
  const pool = mysql.createPool({
    host: s.host,
    port: s.port,
    user: s.username ?? undefined,
    ...(secret === null ? {} : { password: secret }),
    // The collation of the system tables (mysql.user, roles_mapping), so comparisons mix none.
    charset: 'utf8mb4_general_ci',
    connectionLimit: 2,
    connectTimeout: 5_000,
    maxIdle: 1,
    idleTimeout: 10_000,
  });
  const q = async <T>(sql: string, values: unknown[] = []) => (await pool.query(sql, values))[0] as T;
  const loginExists = async (login: string) =>
    (await q<unknown[]>('select 1 from mysql.user where User = ? and Host = ?', [login, LOGIN_HOST])).length >
    0;
  /** Members of the target roles: all, or those among `logins` (a reconcile of a few users). */
  const members = async (targets: readonly string[], logins?: readonly string[]): Promise<ActualGrant[]> =>
    targets.length === 0 || logins?.length === 0
      ? []
      : q<ActualGrant[]>(
          `select Role as target, User as login from mysql.roles_mapping
            where Host = ? and Role in (?) and Admin_option = 'N'${logins === undefined ? '' : ' and User in (?)'}`,
          logins === undefined ? [LOGIN_HOST, [...targets]] : [LOGIN_HOST, [...targets], [...logins]],
        );

  return {
    async grant({ target, login }) {
      if (!(await loginExists(login))) {
        if (!s.createLogins)
          throw new Error(`The login '${login}'@'${LOGIN_HOST}' does not exist in ${where}.`);
        await q(`create user if not exists ?@? comment 'Managed by Elevate'`, [login, LOGIN_HOST]).catch(
          // Older servers have no COMMENT on users.
          () => q('create user if not exists ?@?', [login, LOGIN_HOST]),
        );
      }
      await q(`grant ${mysql.escapeId(target)} to ?@?`, [login, LOGIN_HOST]);
      await q(`set default role ${mysql.escapeId(target)} for ?@?`, [login, LOGIN_HOST]);
    },

    async revoke({ target, login }) {
      if ((await members([target], [login])).length === 0) return;
      await q(`revoke ${mysql.escapeId(target)} from ?@?`, [login, LOGIN_HOST]);
      const def = await q<{ default_role: string }[]>(
        'select default_role from mysql.user where User = ? and Host = ?',
        [login, LOGIN_HOST],
      );
      if (def[0]?.default_role === target) await q('set default role none for ?@?', [login, LOGIN_HOST]);
    },

    list: (targets) => members(targets),
    listFor: members,

    async endSessions(login) {
      const ids = await q<{ ID: number }[]>('select ID from information_schema.PROCESSLIST where USER = ?', [
        login,
      ]);
      let n = 0;
      for (const { ID } of ids) {
        try {
          await q(`kill connection ${Number(ID)}`);
          n += 1;
        } catch {
          // It ended by itself meanwhile.
        }
      }
      return n;
    },

    async test(targets): Promise<TargetCheck> {
      try {
        await q('select 1');
      } catch (e) {
        return {
          ok: false,
          message: `Could not sign in to ${where} as '${s.username}': ${describeError(e)}`,
        };
      }
      try {
        await members(targets);
      } catch (e) {
        return {
          ok: false,
          message: `'${s.username}' cannot read mysql.roles_mapping in ${where}: ${describeError(e)}`,
        };
      }
      for (const t of targets) {
        const r = await q<unknown[]>("select 1 from mysql.user where User = ? and is_role = 'Y'", [t]);
        if (r.length === 0)
          return { ok: false, message: `The mapped role '${t}' does not exist in ${where}.` };
      }
      return {
        ok: true,
        message: `Connected to ${where} as '${s.username}'; ${targets.length} mapped role(s) found.`,
      };
    },

    close: () => pool.end(),
  };
}
