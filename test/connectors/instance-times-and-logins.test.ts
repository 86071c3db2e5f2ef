// Issue 17 follow-ups on the PostgreSQL connector (the machine's PostgreSQL as the target, each test
// with its own roles and logins): the GET of a schedule instance shows the activation's connector
// grants with their effective times (`elevateConnectorGrants`, `$select`-able), for directory roles
// and PIM for Groups; and explicit per-user logins win over the derived ones, validated and audited.
// Runs on SQLite (`npm test`) and PostgreSQL (`--mode postgres`) as Elevate's own database.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addGroup } from '../pim/support.js';
import type { TestServer } from '../helpers/server.js';
import {
  activate,
  addConnector,
  addLoginUser,
  audited,
  call,
  connectorServer,
  CONNECTORS,
  grantsOf,
  until,
  type ConnectorServer,
} from './support.js';

const PG = { host: '127.0.0.1', port: 5432, user: 'postgres' };
const suffix = randomBytes(4).toString('hex');
const ROLE = `el_times_${suffix}`;
const logins: string[] = [];
const newLogin = () => {
  const l = `el_t_${suffix}_${logins.length}`;
  logins.push(l);
  return l;
};
const settings = {
  host: PG.host,
  port: PG.port,
  database: 'postgres',
  username: 'postgres',
  createLogins: true,
};
const INSTANCES = '/v1.0/roleManagement/directory/roleAssignmentScheduleInstances';
const GROUP_INSTANCES = '/v1.0/identityGovernance/privilegedAccess/group/assignmentScheduleInstances';

let admin: pg.Client;
const servers: ConnectorServer[] = [];
const serve = async () => {
  const s = await connectorServer();
  servers.push(s);
  return s;
};

const isMember = async (login: string) =>
  (
    await admin.query(
      `select 1 from pg_auth_members am join pg_roles g on g.oid = am.roleid join pg_roles m on m.oid = am.member
        where g.rolname = $1 and m.rolname = $2`,
      [ROLE, login],
    )
  ).rowCount === 1;

beforeAll(async () => {
  admin = new pg.Client({ ...PG, database: 'postgres' });
  await admin.connect();
  await admin.query(`create role ${ROLE} nologin`);
});

afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

afterAll(async () => {
  for (const l of logins) {
    await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where usename = $1`, [l]);
    await admin.query(`drop role if exists ${l}`);
  }
  await admin.query(`drop role if exists ${ROLE}`);
  await admin.end();
});

/** The one instance of the user's (directory-role or group) assignments. */
async function instanceOf(s: ConnectorServer, base: string, userId: string): Promise<string> {
  const r = await call(s, 'GET', `${base}?$filter=principalId eq '${userId}'`, await s.admin());
  expect(r.statusCode, r.body).toBe(200);
  const [first] = r.json<{ value: { id: string }[] }>().value;
  if (first === undefined) throw new Error('no instance');
  return first.id;
}

describe('effective times on the schedule instance', () => {
  it('shows the activation’s grant with requested, approved, effective times, then ended and revoked; $select names it', async () => {
    const s = await serve();
    const login = newLogin();
    const user = await addLoginUser(s, login);
    const { id } = await addConnector(s, { displayName: 'Times', type: 'postgresql', settings }, ROLE);
    const { start, end } = await activate(s, user);
    await until('the grant is effective', () => isMember(login));
    await until('the grant is recorded', async () => (await grantsOf(s, id))[0]?.state === 'granted');

    const instanceId = await instanceOf(s, INSTANCES, user);
    const h = await s.admin();
    const got = await call(s, 'GET', `${INSTANCES}/${instanceId}`, h);
    expect(got.statusCode, got.body).toBe(200);
    const body = got.json<Record<string, unknown>>();
    // Graph's own properties are all still there; the extension is one more.
    expect(body).toMatchObject({ id: instanceId, principalId: user, assignmentType: 'Activated' });
    const grants = body.elevateConnectorGrants as Record<string, string | null>[];
    expect(grants).toHaveLength(1);
    const g = grants[0]!;
    expect(g).toMatchObject({ connectorId: id, target: ROLE, login, state: 'granted' });
    expect(g.approvedDateTime).toBe(new Date(start).toISOString());
    expect(Date.parse(g.requestedDateTime!)).toBeLessThanOrEqual(Date.parse(g.approvedDateTime!));
    expect(Date.parse(g.effectiveDateTime!)).toBeGreaterThanOrEqual(Date.parse(g.approvedDateTime!));
    expect(g).toMatchObject({ endedDateTime: null, revokedDateTime: null });

    // `$select` keeps it alone (with the id), or leaves it out.
    const only = await call(s, 'GET', `${INSTANCES}/${instanceId}?$select=elevateConnectorGrants`, h);
    expect(only.statusCode, only.body).toBe(200);
    const onlyBody = only.json<Record<string, unknown>>();
    expect(Object.keys(onlyBody).sort()).toEqual(['@odata.context', 'elevateConnectorGrants', 'id']);
    expect(onlyBody.elevateConnectorGrants).toEqual(grants);
    const without = await call(s, 'GET', `${INSTANCES}/${instanceId}?$select=startDateTime`, h);
    expect(without.json<Record<string, unknown>>()).not.toHaveProperty('elevateConnectorGrants');
    // The list does not carry it, so its `$select` refuses the name (a clear 400, nothing else).
    const listed = await call(s, 'GET', `${INSTANCES}?$select=elevateConnectorGrants`, h);
    expect(listed.statusCode).toBe(400);
    expect(listed.json<{ error: { code: string } }>().error.code).toBe('invalidSelect');

    // The end: the instance is gone (it no longer holds), the record carries ended and revoked.
    s.clock.bringCloser(end, 300);
    s.connectors.nudge(id);
    await until('revoked', async () => !(await isMember(login)));
    await until('the revoke is recorded', async () => (await grantsOf(s, id))[0]?.state === 'revoked');
    const [revoked] = await grantsOf(s, id);
    expect(revoked).toMatchObject({ endedDateTime: new Date(end).toISOString() });
    expect(Date.parse(revoked!.revokedDateTime as string)).toBeGreaterThanOrEqual(end);
  });

  it('shows them on a PIM for Groups assignment instance mapped through the group', async () => {
    const s = await serve();
    const h = await s.admin();
    const login = newLogin();
    const user = await addLoginUser(s, login);
    const group = await addGroup(s as unknown as TestServer);
    const c = await call(s, 'POST', CONNECTORS, h, { displayName: 'Group', type: 'postgresql', settings });
    const connectorId = c.json<{ id: string }>().id;
    const m = await call(s, 'POST', `${CONNECTORS}/${connectorId}/mappings`, h, {
      source: 'group',
      sourceId: group,
      targetGrant: ROLE,
    });
    expect(m.statusCode, m.body).toBe(201);
    const r = await call(
      s,
      'POST',
      '/v1.0/identityGovernance/privilegedAccess/group/assignmentScheduleRequests',
      h,
      {
        action: 'adminAssign',
        principalId: user,
        groupId: group,
        accessId: 'member',
        justification: 'On call this week',
        scheduleInfo: { startDateTime: null, expiration: { type: 'afterDuration', duration: 'PT1H' } },
      },
    );
    expect(r.statusCode, r.body).toBe(201);
    await until('the grant is effective', () => isMember(login));
    await until(
      'the grant is recorded',
      async () => (await grantsOf(s, connectorId))[0]?.state === 'granted',
    );

    const instanceId = await instanceOf(s, GROUP_INSTANCES, user);
    const got = await call(
      s,
      'GET',
      `${GROUP_INSTANCES}/${instanceId}?$select=elevateConnectorGrants,groupId`,
      h,
    );
    expect(got.statusCode, got.body).toBe(200);
    const body = got.json<{ groupId: string; elevateConnectorGrants: Record<string, unknown>[] }>();
    expect(body.groupId).toBe(group);
    expect(body.elevateConnectorGrants).toHaveLength(1);
    expect(body.elevateConnectorGrants[0]).toMatchObject({
      connectorId,
      login,
      target: ROLE,
      state: 'granted',
    });
    expect(body.elevateConnectorGrants[0]!.effectiveDateTime).not.toBeNull();
  });

  it('is an empty list for an instance no connector maps', async () => {
    const s = await serve();
    const user = await addLoginUser(s, newLogin());
    await activate(s, user);
    const instanceId = await instanceOf(s, INSTANCES, user);
    const got = await call(s, 'GET', `${INSTANCES}/${instanceId}`, await s.admin());
    expect(got.statusCode, got.body).toBe(200);
    expect(got.json<Record<string, unknown>>().elevateConnectorGrants).toEqual([]);
  });
});

describe('explicit per-user logins', () => {
  it('grants under the explicit login, moves the grant when it changes, and goes back to the derived one when removed', async () => {
    const s = await serve();
    const h = await s.admin();
    const derived = newLogin();
    const explicit = newLogin();
    const renamed = newLogin();
    const user = await addLoginUser(s, derived);
    const { id } = await addConnector(s, { displayName: 'Logins', type: 'postgresql', settings }, ROLE);
    const LOGINS = `${CONNECTORS}/${id}/logins`;

    // Upper case in, lower case stored: targets compare one spelling.
    const put = await call(s, 'PUT', `${LOGINS}/${user}`, h, { login: explicit.toUpperCase() });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({ principalId: user, login: explicit });
    const listed = await call(s, 'GET', LOGINS, h);
    expect(listed.json<{ value: unknown[] }>().value).toEqual([
      expect.objectContaining({ principalId: user, login: explicit }),
    ]);

    await activate(s, user);
    await until('granted under the explicit login', () => isMember(explicit));
    expect(await isMember(derived)).toBe(false);

    // A new login: the old one's grant is revoked, the new one granted, by the same reconcile.
    expect((await call(s, 'PUT', `${LOGINS}/${user}`, h, { login: renamed })).statusCode).toBe(200);
    await until(
      'moved to the new login',
      async () => (await isMember(renamed)) && !(await isMember(explicit)),
    );

    // Removed: the derived login again.
    const del = await call(s, 'DELETE', `${LOGINS}/${user}`, h);
    expect(del.statusCode, del.body).toBe(204);
    await until(
      'back to the derived login',
      async () => (await isMember(derived)) && !(await isMember(renamed)),
    );
    expect((await call(s, 'GET', LOGINS, h)).json<{ value: unknown[] }>().value).toEqual([]);

    const set = await audited(s, 'Set connector login');
    expect(set).toHaveLength(2);
    // Newest first: the change from the first login to the second, old and new values recorded.
    expect(JSON.stringify(set[0])).toContain(renamed);
    expect(JSON.stringify(set[0])).toContain(explicit);
    expect(await audited(s, 'Remove connector login')).toHaveLength(1);
    const revokes = (await grantsOf(s, id)).filter((g) => g.state === 'revoked').map((g) => g.login);
    expect(revokes.sort()).toEqual([explicit, renamed].sort());
  });

  it('refuses bad input with a 400 (or 404) and changes nothing', async () => {
    const s = await serve();
    const h = await s.admin();
    const user = await addLoginUser(s, newLogin());
    const other = await addLoginUser(s, newLogin());
    const { id } = await addConnector(s, { displayName: 'Bad logins', type: 'postgresql', settings }, ROLE);
    const LOGINS = `${CONNECTORS}/${id}/logins`;
    expect((await call(s, 'PUT', `${LOGINS}/${user}`, h, { login: 'taken_login' })).statusCode).toBe(200);
    const before = (await call(s, 'GET', LOGINS, h)).body;
    const auditedBefore = (await audited(s, 'Set connector login')).length;

    const refused = async (url: string, body: unknown, status: number, target?: string) => {
      const r = await call(s, 'PUT', url, h, body);
      expect(r.statusCode, `${url} ${JSON.stringify(body)}: ${r.body}`).toBe(status);
      const error = r.json<{ error: { code: string; message: string; target?: string } }>().error;
      expect(error.message.length).toBeGreaterThan(0);
      if (target !== undefined) expect(JSON.stringify(r.json())).toContain(target);
    };
    await refused(`${LOGINS}/${other}`, { login: "x'; drop role postgres; --" }, 400, 'login');
    await refused(`${LOGINS}/${other}`, { login: '1starts_with_a_digit' }, 400, 'login');
    await refused(`${LOGINS}/${other}`, { login: 'a'.repeat(64) }, 400, 'login');
    await refused(`${LOGINS}/${other}`, { login: 'ok', extra: true }, 400);
    await refused(`${LOGINS}/${other}`, {}, 400);
    await refused(`${LOGINS}/${other}`, { login: 'TAKEN_LOGIN' }, 400, 'Another user');
    await refused(`${LOGINS}/00000000-0000-0000-0000-000000000001`, { login: 'nobody' }, 400, 'principalId');
    await refused(`${LOGINS}/not-a-guid`, { login: 'nobody' }, 400);
    await refused(`${CONNECTORS}/00000000-0000-0000-0000-000000000002/logins/${other}`, { login: 'x' }, 404);
    const missing = await call(s, 'DELETE', `${LOGINS}/${other}`, h);
    expect(missing.statusCode).toBe(404);

    expect((await call(s, 'GET', LOGINS, h)).body).toBe(before);
    expect(await audited(s, 'Set connector login')).toHaveLength(auditedBefore);
  });
});
