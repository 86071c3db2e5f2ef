import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { EXCHANGE_ADMINISTRATOR, HELPDESK_ADMINISTRATOR } from '../../src/domain/roles/built-in-role-ids.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  activate,
  addConnector,
  addLoginUser,
  audited,
  call,
  connectorServer,
  CONNECTORS,
  grantsOf,
  revokedGrant,
  holds,
  statusOf,
  tcpRelay,
  until,
  type ConnectorServer,
} from './support.js';

// The PostgreSQL the machine runs (trust authentication on 127.0.0.1, as in CI). Each test makes
// its own role, database and logins with unique names, and drops them after.
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres' };
const suffix = randomBytes(4).toString('hex');
const ROLE = `el_dba_${suffix}`;
const DB = `el_db_${suffix}`;
const logins: string[] = [];
const newLogin = () => {
  const l = `el_u_${suffix}_${logins.length}`;
  logins.push(l);
  return l;
};

let admin: pg.Client;
const servers: ConnectorServer[] = [];
const serve = async (o?: Parameters<typeof connectorServer>[0]) => {
  const s = await connectorServer(o);
  servers.push(s);
  return s;
};

const settings = (port = PG.port) => ({
  host: PG.host,
  port,
  database: 'postgres',
  username: 'postgres',
  createLogins: true,
});

const isMember = async (login: string) =>
  (
    await admin.query(
      `select 1 from pg_auth_members am join pg_roles g on g.oid = am.roleid join pg_roles m on m.oid = am.member
        where g.rolname = $1 and m.rolname = $2`,
      [ROLE, login],
    )
  ).rowCount === 1;

/** Signs in as the login to the test's database and reads the table only the role may read. */
async function signIn(login: string) {
  const c = new pg.Client({ ...PG, user: login, database: DB });
  c.on('error', () => undefined);
  await c.connect();
  return c;
}
const privileged = (c: pg.Client) => c.query('select secret from vault');

beforeAll(async () => {
  admin = new pg.Client({ ...PG, database: 'postgres' });
  await admin.connect();
  await admin.query(`create role ${ROLE} nologin`);
  await admin.query(`create database ${DB}`);
  const db = new pg.Client({ ...PG, database: DB });
  await db.connect();
  await db.query('create table vault (secret text)');
  await db.query(`insert into vault values ('s3cr3t')`);
  await db.query('revoke all on vault from public');
  await db.query(`grant select on vault to ${ROLE}`);
  await db.end();
});

afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

afterAll(async () => {
  await admin.query(
    `select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 or usename = any($2::text[])`,
    [DB, logins],
  );
  await admin.query(`drop database if exists ${DB}`);
  for (const l of logins) await admin.query(`drop role if exists ${l}`);
  await admin.query(`drop role if exists ${ROLE}`);
  await admin.end();
});

describe('PostgreSQL connector', () => {
  it('grants the role at activation (the user runs a privileged statement) and at the end revokes it and ends the open session within 2 s', async () => {
    const s = await serve();
    const login = newLogin();
    const user = await addLoginUser(s, login);
    const { id } = await addConnector(
      s,
      { displayName: 'Billing DB', type: 'postgresql', settings: settings() },
      ROLE,
    );
    const test = await call(s, 'POST', `${CONNECTORS}/${id}/test`, await s.admin());
    expect(test.json()).toMatchObject({ succeeded: true });

    const { end } = await activate(s, user);
    await until('the grant is effective', () => isMember(login));
    const session = await signIn(login);
    expect((await privileged(session)).rows).toEqual([{ secret: 's3cr3t' }]);

    let g: Record<string, unknown> | undefined;
    await until('the grant is recorded', async () => {
      [g] = await grantsOf(s, id);
      return g?.state === 'granted';
    });
    expect(g).toMatchObject({ state: 'granted', login, target: ROLE, adopted: false });
    expect(Date.parse(g!.effectiveDateTime as string)).toBeGreaterThanOrEqual(
      Date.parse(g!.approvedDateTime as string),
    );
    expect(g!.requestedDateTime).not.toBeNull();
    expect(await audited(s, 'Grant access in target system')).toHaveLength(1);

    // Jump to 1.5 s before the end and let the reconciler re-arm its timer for it; then wait for real.
    s.clock.bringCloser(end, 1_500);
    s.connectors.nudge(id);
    let closedAt: number | undefined;
    session.on('end', () => (closedAt ??= s.clock.now()));
    session.on('error', () => (closedAt ??= s.clock.now()));
    await until('the open session is ended', async () => closedAt !== undefined, 10_000);
    expect(closedAt! - end).toBeGreaterThanOrEqual(0);
    expect(closedAt! - end).toBeLessThan(2_000);
    expect(await isMember(login)).toBe(false);

    // A new session has no access any more.
    const again = await signIn(login);
    await expect(privileged(again)).rejects.toThrow(/permission denied/);
    await again.end();

    const revoked = await revokedGrant(s, id);
    expect(revoked).toMatchObject({ state: 'revoked', endedDateTime: new Date(end).toISOString() });
    const entries = await audited(s, 'Revoke access in target system');
    expect(entries).toHaveLength(1);
    expect(entries[0]!.additionalDetails).toContainEqual({ key: 'SessionsEnded', value: '1' });
  });

  it('repairs a grant removed by hand (audited as drift) and reports, never revokes, a grant made outside Elevate', async () => {
    const s = await serve();
    const login = newLogin();
    const outsider = newLogin();
    await admin.query(`create role ${outsider} login`);
    const user = await addLoginUser(s, login);
    const { id } = await addConnector(
      s,
      { displayName: 'Drift', type: 'postgresql', settings: settings() },
      ROLE,
    );
    await activate(s, user);
    await until('the grant is effective', () => isMember(login));

    await admin.query(`revoke ${ROLE} from ${login}`);
    await admin.query(`grant ${ROLE} to ${outsider}`);
    // The drift poll (runAll) repairs it, once any back-off from an earlier run has passed.
    await until('the drift is repaired', async () => {
      await s.connectors.runAll();
      return isMember(login);
    });
    expect(await isMember(outsider)).toBe(true);
    const repaired = await audited(s, 'Repair access removed outside Elevate');
    expect(repaired).toHaveLength(1);
    const unmanaged = await audited(s, 'Access granted outside Elevate found');
    expect(unmanaged).toHaveLength(1);
    expect(JSON.stringify(unmanaged[0])).toContain(outsider);

    // Reported once, not at every run.
    await s.connectors.runAll();
    expect(await audited(s, 'Access granted outside Elevate found')).toHaveLength(1);
    expect(s.connectors.lastResult(id)).toMatchObject({
      granted: 0,
      revoked: 0,
      driftRepaired: 0,
      unmanaged: 0,
    });
    await admin.query(`revoke ${ROLE} from ${outsider}`);
  });

  it('revokes an end that fell while the target was down as soon as it is back; AuthZEN says false meanwhile', async () => {
    const s = await serve({ backoff: { baseMs: 100, maxMs: 400 } });
    const relay = await tcpRelay(PG.port);
    try {
      const login = newLogin();
      const user = await addLoginUser(s, login);
      const { id } = await addConnector(
        s,
        { displayName: 'Flaky', type: 'postgresql', settings: settings(relay.port) },
        ROLE,
      );
      const { end } = await activate(s, user);
      await until('the grant is effective', () => isMember(login));
      expect(await holds(s, user)).toBe(true);

      // The connector's status shows its last run (the grant's, or a later one with nothing to do).
      await until('the status shows a run', async () => (await statusOf(s, id))?.lastResult != null);
      expect(await statusOf(s, id)).toMatchObject({ consecutiveFailures: 0, lastError: null });

      await relay.down();
      s.clock.bringCloser(end, 300);
      s.connectors.nudge(id);
      await until('the end has passed', async () => s.clock.now() > end + 500);
      expect(await holds(s, user)).toBe(false);
      expect(await isMember(login)).toBe(true);
      expect(await audited(s, 'Target system unreachable')).toHaveLength(1);
      // …and while the target is down, the failures in a row and the last error.
      await until('the status shows the failure', async () => {
        const st = await statusOf(s, id);
        return typeof st?.consecutiveFailures === 'number' && st.consecutiveFailures >= 1;
      });
      const failing = await statusOf(s, id);
      expect(failing?.lastError).toEqual(expect.any(String));
      expect(Date.parse(failing!.lastReconcileDateTime as string)).toBeGreaterThan(
        Date.parse(failing!.lastSuccessDateTime as string),
      );

      await relay.up();
      await until('revoked once the target is back', async () => !(await isMember(login)), 5_000);
      const g = await revokedGrant(s, id);
      expect(g).toMatchObject({ state: 'revoked', endedDateTime: new Date(end).toISOString() });
      await until(
        'the status shows the recovery',
        async () => (await statusOf(s, id))?.consecutiveFailures === 0,
      );
      const recovered = await statusOf(s, id);
      expect(recovered?.lastError).toBeNull();
      expect(Date.parse(recovered!.lastSuccessDateTime as string)).toBeGreaterThan(
        Date.parse(failing!.lastReconcileDateTime as string),
      );
    } finally {
      await relay.down().catch(() => undefined);
    }
  });

  it('a grant the target refuses holds up no other grant, and no revocation waits for its back-off', async () => {
    // A back-off of a minute: a run blocked by the refusal would not revoke within the 2 s below.
    const s = await serve({ backoff: { baseMs: 60_000, maxMs: 60_000 } });
    const h = await s.admin();
    const missingRole = `el_absent_${suffix}`;
    const { id } = await addConnector(
      s,
      { displayName: 'Mixed', type: 'postgresql', settings: settings() },
      missingRole,
      HELPDESK_ADMINISTRATOR,
    );
    const m = await call(s, 'POST', `${CONNECTORS}/${id}/mappings`, h, {
      source: 'directoryRole',
      sourceId: EXCHANGE_ADMINISTRATOR,
      targetGrant: ROLE,
    });
    expect(m.statusCode, m.body).toBe(201);

    // First the holder whose grant the target refuses (the role does not exist there)...
    const refusedLogin = newLogin();
    await activate(s, await addLoginUser(s, refusedLogin), HELPDESK_ADMINISTRATOR);
    await until('the refusal is recorded', async () =>
      (await audited(s, 'Target system unreachable')).some((e) => JSON.stringify(e).includes(missingRole)),
    );
    // ...then one whose grant works: it is made at once, the refused one is not in the way.
    const login = newLogin();
    const user = await addLoginUser(s, login);
    const { end } = await activate(s, user);
    await until('the other grant is effective', () => isMember(login));
    const [entry] = (await audited(s, 'Target system unreachable')).filter((e) =>
      JSON.stringify(e).includes(id),
    );
    expect(JSON.stringify(entry)).toContain(
      `1 change(s) failed, the others were made; first: grant \\"${missingRole}\\" to \\"${refusedLogin}\\"`,
    );
    const grants = await grantsOf(s, id);
    expect(grants.find((g) => g.login === login)).toMatchObject({ state: 'granted', target: ROLE });
    expect(grants.find((g) => g.login === refusedLogin)).toMatchObject({ state: 'granting' });

    // The end is revoked on time although the refused grant waits out its minute of back-off.
    s.clock.bringCloser(end, 1_500);
    s.connectors.nudge(id);
    await until('the grant is revoked', async () => !(await isMember(login)), 10_000);
    expect(s.clock.now() - end).toBeLessThan(2_000);
    await until('the revoke is recorded', async () =>
      (await grantsOf(s, id)).some((g) => g.login === login && g.state === 'revoked'),
    );
  });

  it('refuses bad configuration at test with a clear message, and backs off instead of flooding the target', async () => {
    const s = await serve({ backoff: { baseMs: 100, maxMs: 400 } });
    const h = await s.admin();
    const test = async (body: Record<string, unknown>, target = ROLE) => {
      const { id } = await addConnector(s, { displayName: 'Bad', type: 'postgresql', ...body }, target);
      const r = await call(s, 'POST', `${CONNECTORS}/${id}/test`, h);
      expect(r.statusCode).toBe(200);
      return { id, ...r.json<{ succeeded: boolean; message: string }>() };
    };
    const wrongUser = await test({
      settings: { ...settings(), username: `nobody_${suffix}` },
      secret: 'wrong',
    });
    expect(wrongUser).toMatchObject({ succeeded: false });
    expect(wrongUser.message).toMatch(
      /Could not sign in to PostgreSQL at 127\.0\.0\.1:5432 as "nobody_.*": role .* does not exist/,
    );

    const unreachable = await test({ settings: { ...settings(), port: 1 } });
    expect(unreachable).toMatchObject({ succeeded: false });
    expect(unreachable.message).toMatch(/Could not sign in to PostgreSQL at 127\.0\.0\.1:1 .*ECONNREFUSED/);

    const missing = await test({ settings: settings() }, `el_missing_${suffix}`);
    expect(missing).toEqual({
      id: missing.id,
      succeeded: false,
      message: `The mapped role "el_missing_${suffix}" does not exist in PostgreSQL at 127.0.0.1:5432.`,
    });

    // A holder for the unreachable connector: every reconcile fails. Nudged 40 times over ~2 s,
    // it is tried only as often as the back-off allows (100, 200, 400, 400… ms).
    const user = await addLoginUser(s, newLogin());
    await activate(s, user);
    const started = Date.now();
    for (let i = 0; i < 40; i += 1) {
      s.connectors.nudge(unreachable.id);
      await new Promise((r) => setTimeout(r, 50));
    }
    const elapsed = Date.now() - started;
    const attempts = s.connectors.attempts(unreachable.id);
    expect(attempts).toBeGreaterThanOrEqual(3);
    // At most one attempt per 100 ms for the first, then one per 400 ms: far fewer than the nudges.
    expect(attempts).toBeLessThanOrEqual(3 + Math.ceil(elapsed / 400) + 1);
    const unreachableEntries = (await audited(s, 'Target system unreachable')).filter((e) =>
      JSON.stringify(e).includes(unreachable.id),
    );
    expect(unreachableEntries).toHaveLength(1);
  });
});
