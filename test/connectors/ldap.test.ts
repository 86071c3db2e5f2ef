import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'ldapts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { skipFor } from '../helpers/skip.js';
import {
  activate,
  addConnector,
  addLoginUser,
  call,
  connectorServer,
  CONNECTORS,
  revokedGrant,
  until,
  type ConnectorServer,
} from './support.js';

// An OpenLDAP slapd of Debian's package, started by this file with its own configuration and
// database in a temporary folder on a free port, and stopped by its PID after.
const SLAPD = '/usr/sbin/slapd';
const BASE = 'dc=example,dc=org';
const ADMIN_DN = `cn=admin,${BASE}`;
const ADMIN_PASSWORD = 'elevate-test-secret';
const GROUP = `cn=dbas,ou=groups,${BASE}`;
const PLACEHOLDER = `cn=placeholder,${BASE}`;
const TEMPLATE = `uid={login},ou=people,${BASE}`;

// In CI slapd is installed (.ci/run); elsewhere, without it, the file says why it skipped.
const noSlapd =
  existsSync(SLAPD) || process.env.CI === 'true'
    ? undefined
    : 'slapd is not installed (apt-get install slapd)';

let dir: string;
let slapd: ChildProcess | undefined;
let port: number;
const servers: ConnectorServer[] = [];

const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => resolve(p));
    });
  });

async function admin<T>(work: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ url: `ldap://127.0.0.1:${port}` });
  try {
    await c.bind(ADMIN_DN, ADMIN_PASSWORD);
    return await work(c);
  } finally {
    await c.unbind();
  }
}

const members = () =>
  admin(async (c) => {
    const r = await c.search(GROUP, { scope: 'base', attributes: ['member'] });
    const m = r.searchEntries[0]?.member ?? [];
    return (Array.isArray(m) ? m : [m]).map(String);
  });

beforeAll(async () => {
  if (noSlapd !== undefined) return;
  dir = mkdtempSync(join(tmpdir(), 'elevate-slapd-'));
  mkdirSync(join(dir, 'db'));
  port = await freePort();
  writeFileSync(
    join(dir, 'slapd.conf'),
    [
      'include /etc/ldap/schema/core.schema',
      'include /etc/ldap/schema/cosine.schema',
      'include /etc/ldap/schema/inetorgperson.schema',
      'modulepath /usr/lib/ldap',
      'moduleload back_mdb',
      `pidfile ${join(dir, 'slapd.pid')}`,
      'database mdb',
      `suffix "${BASE}"`,
      `rootdn "${ADMIN_DN}"`,
      `rootpw ${ADMIN_PASSWORD}`,
      `directory ${join(dir, 'db')}`,
      'maxsize 10485760',
      '',
    ].join('\n'),
  );
  slapd = spawn(SLAPD, ['-f', join(dir, 'slapd.conf'), '-h', `ldap://127.0.0.1:${port}/`, '-d', '0'], {
    stdio: 'ignore',
  });
  await until('slapd answers', async () => {
    try {
      await admin(async () => undefined);
      return true;
    } catch {
      return false;
    }
  });
  await admin(async (c) => {
    await c.add(BASE, { objectClass: ['dcObject', 'organization'], dc: 'example', o: 'Example' });
    await c.add(`ou=people,${BASE}`, { objectClass: 'organizationalUnit', ou: 'people' });
    await c.add(`ou=groups,${BASE}`, { objectClass: 'organizationalUnit', ou: 'groups' });
    await c.add(PLACEHOLDER, { objectClass: 'organizationalRole', cn: 'placeholder' });
    await c.add(GROUP, { objectClass: 'groupOfNames', cn: 'dbas', member: PLACEHOLDER });
  });
});

afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

afterAll(async () => {
  const child = slapd;
  if (child?.pid !== undefined && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(child.pid, 'SIGTERM');
    await exited;
  }
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

const settings = () => ({ host: '127.0.0.1', port, username: ADMIN_DN, userDnTemplate: TEMPLATE });

describe('LDAP connector', skipFor(noSlapd), () => {
  it('adds the user to the groupOfNames at activation and removes it within 2 s of the end, leaving other members', async () => {
    const s = await connectorServer();
    servers.push(s);
    const user = await addLoginUser(s, 'alice');
    const { id } = await addConnector(
      s,
      { displayName: 'Directory', type: 'ldap', settings: settings(), secret: ADMIN_PASSWORD },
      GROUP,
    );
    expect((await call(s, 'POST', `${CONNECTORS}/${id}/test`, await s.admin())).json()).toMatchObject({
      succeeded: true,
    });
    const dn = `uid=alice,ou=people,${BASE}`;
    const { end } = await activate(s, user);
    await until('alice is a member', async () => (await members()).includes(dn));

    s.clock.bringCloser(end, 1_000);
    s.connectors.nudge(id);
    await until('alice is no member', async () => !(await members()).includes(dn));
    expect(s.clock.now() - end).toBeLessThan(2_000);
    expect(await members()).toEqual([PLACEHOLDER]);
    const g = await revokedGrant(s, id);
    expect(g).toMatchObject({ state: 'revoked', login: 'alice', endedDateTime: new Date(end).toISOString() });
    const revokedAt = Date.parse(g.revokedDateTime as string);
    expect(revokedAt - end).toBeGreaterThanOrEqual(0);
    expect(revokedAt - end).toBeLessThan(2_000);
  });

  it('refuses a wrong password and a missing group at test', async () => {
    const s = await connectorServer();
    servers.push(s);
    const h = await s.admin();
    const wrong = await addConnector(
      s,
      { displayName: 'Wrong', type: 'ldap', settings: settings(), secret: 'wrong' },
      GROUP,
    );
    const r1 = (await call(s, 'POST', `${CONNECTORS}/${wrong.id}/test`, h)).json<{ message: string }>();
    expect(r1).toMatchObject({ succeeded: false });
    expect(r1.message).toMatch(
      new RegExp(
        `^Could not bind to LDAP at 127\\.0\\.0\\.1:${port} as "${ADMIN_DN}": InvalidCredentialsError`,
      ),
    );
    const missing = `cn=nosuch,ou=groups,${BASE}`;
    const m = await addConnector(
      s,
      { displayName: 'Missing', type: 'ldap', settings: settings(), secret: ADMIN_PASSWORD },
      missing,
    );
    expect((await call(s, 'POST', `${CONNECTORS}/${m.id}/test`, h)).json()).toEqual({
      succeeded: false,
      message: `The mapped group "${missing}" does not exist in LDAP at 127.0.0.1:${port}.`,
    });
  });
});
