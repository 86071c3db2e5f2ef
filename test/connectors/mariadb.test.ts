import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  activate,
  addConnector,
  addLoginUser,
  audited,
  call,
  connectorServer,
  CONNECTORS,
  revokedGrant,
  until,
  type ConnectorServer,
} from './support.js';

// The MariaDB the machine runs (root, no password, on 127.0.0.1). Each run makes its own role,
// database and logins with unique names, and drops them after.
const DB_SERVER = { host: '127.0.0.1', port: 3306, user: 'root' };
const suffix = randomBytes(4).toString('hex');
const ROLE = `el_dba_${suffix}`;
const DB = `el_db_${suffix}`;
const logins: string[] = [];
const newLogin = () => {
  const l = `el_u_${suffix}_${logins.length}`;
  logins.push(l);
  return l;
};

let admin: mysql.Connection;
const servers: ConnectorServer[] = [];
const serve = async () => {
  const s = await connectorServer();
  servers.push(s);
  return s;
};
const settings = { host: DB_SERVER.host, port: DB_SERVER.port, username: 'root', createLogins: true };

const isMember = async (login: string) => {
  const [rows] = await admin.query('select 1 from mysql.roles_mapping where User = ? and Role = ?', [
    login,
    ROLE,
  ]);
  return (rows as unknown[]).length === 1;
};
const signIn = (login: string) =>
  mysql.createConnection({ host: DB_SERVER.host, port: DB_SERVER.port, user: login });

beforeAll(async () => {
  admin = await mysql.createConnection(DB_SERVER);
  await admin.query(`create role ${ROLE}`);
  await admin.query(`create database ${DB}`);
  await admin.query(`create table ${DB}.vault (secret text)`);
  await admin.query(`insert into ${DB}.vault values ('s3cr3t')`);
  await admin.query(`grant select on ${DB}.vault to ${ROLE}`);
});

afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

afterAll(async () => {
  for (const l of logins) await admin.query(`drop user if exists ?@'%'`, [l]);
  await admin.query(`drop role if exists ${ROLE}`);
  await admin.query(`drop database if exists ${DB}`);
  await admin.end();
});

describe('MariaDB connector', () => {
  it('grants the role as the default role at activation, and at the end revokes it and kills the open session within 2 s', async () => {
    const s = await serve();
    const login = newLogin();
    const user = await addLoginUser(s, login);
    const { id } = await addConnector(s, { displayName: 'Orders DB', type: 'mariadb', settings }, ROLE);
    const test = await call(s, 'POST', `${CONNECTORS}/${id}/test`, await s.admin());
    expect(test.json()).toMatchObject({ succeeded: true });

    const { end } = await activate(s, user);
    await until('the grant is effective', () => isMember(login));
    const session = await signIn(login);
    const [rows] = await session.query(`select secret from ${DB}.vault`);
    expect(rows).toEqual([{ secret: 's3cr3t' }]);

    s.clock.bringCloser(end, 1_500);
    s.connectors.nudge(id);
    let closedAt: number | undefined;
    session.on('error', () => (closedAt ??= s.clock.now()));
    session.on('end', () => (closedAt ??= s.clock.now()));
    await until('the open session is killed', async () => closedAt !== undefined);
    expect(closedAt! - end).toBeGreaterThanOrEqual(0);
    expect(closedAt! - end).toBeLessThan(2_000);
    expect(await isMember(login)).toBe(false);

    const again = await signIn(login);
    await expect(again.query(`select secret from ${DB}.vault`)).rejects.toThrow(/denied/);
    await again.end();
    const g = await revokedGrant(s, id);
    expect(g).toMatchObject({ state: 'revoked', endedDateTime: new Date(end).toISOString() });
    expect((await audited(s, 'Revoke access in target system'))[0]!.additionalDetails).toContainEqual({
      key: 'SessionsEnded',
      value: '1',
    });
  });

  it('repairs a grant revoked by hand, and refuses a wrong password or a missing role at test', async () => {
    const s = await serve();
    const login = newLogin();
    const user = await addLoginUser(s, login);
    await addConnector(s, { displayName: 'Drift', type: 'mariadb', settings }, ROLE);
    await activate(s, user);
    await until('the grant is effective', () => isMember(login));
    await admin.query(`revoke ${ROLE} from ?@'%'`, [login]);
    // The drift poll (runAll) repairs it, once any back-off from an earlier run has passed.
    await until('the drift is repaired', async () => {
      await s.connectors.runAll();
      return isMember(login);
    });
    expect(await audited(s, 'Repair access removed outside Elevate')).toHaveLength(1);

    const h = await s.admin();
    const wrong = await addConnector(
      s,
      { displayName: 'Wrong password', type: 'mariadb', settings, secret: 'not-the-password' },
      ROLE,
    );
    const r1 = await call(s, 'POST', `${CONNECTORS}/${wrong.id}/test`, h);
    expect(r1.json<{ succeeded: boolean; message: string }>()).toMatchObject({ succeeded: false });
    expect(r1.json<{ message: string }>().message).toMatch(
      /^Could not sign in to MariaDB at 127\.0\.0\.1:3306 as 'root': Access denied/,
    );
    const missing = await addConnector(
      s,
      { displayName: 'Missing', type: 'mariadb', settings },
      `el_missing_${suffix}`,
    );
    const r2 = await call(s, 'POST', `${CONNECTORS}/${missing.id}/test`, h);
    expect(r2.json()).toEqual({
      succeeded: false,
      message: `The mapped role 'el_missing_${suffix}' does not exist in MariaDB at 127.0.0.1:3306.`,
    });
  });
});
