import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
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

// The Redis the machine runs (127.0.0.1:6379, default user). Each run makes its own ACL users and
// keys with unique names, and deletes them after.
const REDIS = { host: '127.0.0.1', port: 6379 };
const suffix = randomBytes(4).toString('hex');
const KEY = `el:${suffix}:vault`;
const users: string[] = [];
const newLogin = () => {
  const l = `el_u_${suffix}_${users.length}`;
  users.push(l);
  return l;
};
const PASSWORD = `pw-${suffix}`;

const admin = createClient({ socket: REDIS });
const servers: ConnectorServer[] = [];
const serve = async () => {
  const s = await connectorServer();
  servers.push(s);
  return s;
};
const settings = { host: REDIS.host, port: REDIS.port };

/** An ACL user that may read the test's keys once it is enabled (`on`) by Elevate. */
const makeUser = (login: string) =>
  admin.sendCommand(['ACL', 'SETUSER', login, 'off', `>${PASSWORD}`, `~el:${suffix}:*`, '+get']);
const isOn = async (login: string) => {
  const rules = (await admin.sendCommand(['ACL', 'LIST'])) as unknown as string[];
  return rules.some((r) => r.startsWith(`user ${login} on `));
};

beforeAll(async () => {
  await admin.connect();
  await admin.set(KEY, 's3cr3t');
});

afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

afterAll(async () => {
  for (const u of users) await admin.sendCommand(['ACL', 'DELUSER', u]);
  await admin.del(KEY);
  admin.destroy();
});

describe('Redis ACL connector', () => {
  it('enables the ACL user at activation, and at the end disables it and kills its clients within 2 s', async () => {
    const s = await serve();
    const login = newLogin();
    await makeUser(login);
    const user = await addLoginUser(s, login);
    const { id } = await addConnector(s, { displayName: 'Cache', type: 'redis', settings }, 'on');
    const test = await call(s, 'POST', `${CONNECTORS}/${id}/test`, await s.admin());
    expect(test.json()).toMatchObject({ succeeded: true });

    const { end } = await activate(s, user);
    await until('the user is enabled', () => isOn(login));
    const session = createClient({
      socket: { ...REDIS, reconnectStrategy: false },
      username: login,
      password: PASSWORD,
    });
    let closedAt: number | undefined;
    session.on('error', () => (closedAt ??= s.clock.now()));
    session.on('end', () => (closedAt ??= s.clock.now()));
    await session.connect();
    expect(await session.get(KEY)).toBe('s3cr3t');

    s.clock.bringCloser(end, 1_500);
    s.connectors.nudge(id);
    await until('the client is killed', async () => closedAt !== undefined);
    expect(closedAt! - end).toBeGreaterThanOrEqual(0);
    expect(closedAt! - end).toBeLessThan(2_000);
    expect(await isOn(login)).toBe(false);
    const again = createClient({
      socket: { ...REDIS, reconnectStrategy: false },
      username: login,
      password: PASSWORD,
    });
    again.on('error', () => undefined);
    await expect(again.connect()).rejects.toThrow(/WRONGPASS|disabled/i);
    const g = await revokedGrant(s, id);
    expect(g).toMatchObject({ state: 'revoked', endedDateTime: new Date(end).toISOString() });
    if (session.isOpen) session.destroy();
  });

  it('repairs a user disabled by hand, and refuses a wrong password or an unknown category at test', async () => {
    const s = await serve();
    const login = newLogin();
    await makeUser(login);
    const user = await addLoginUser(s, login);
    await addConnector(s, { displayName: 'Drift', type: 'redis', settings }, 'on');
    await activate(s, user);
    await until('the user is enabled', () => isOn(login));
    await admin.sendCommand(['ACL', 'SETUSER', login, 'off']);
    await until('the drift is repaired', async () => {
      await s.connectors.runAll();
      return isOn(login);
    });
    expect(await audited(s, 'Repair access removed outside Elevate')).toHaveLength(1);

    const h = await s.admin();
    const wrong = await addConnector(
      s,
      { displayName: 'Wrong', type: 'redis', settings: { ...settings, username: login }, secret: 'wrong' },
      'on',
    );
    const r1 = (await call(s, 'POST', `${CONNECTORS}/${wrong.id}/test`, h)).json<{
      succeeded: boolean;
      message: string;
    }>();
    expect(r1.succeeded).toBe(false);
    expect(r1.message).toMatch(/^Could not sign in to Redis at 127\.0\.0\.1:6379 as ".*": WRONGPASS/);
    const unknown = await addConnector(
      s,
      { displayName: 'Unknown', type: 'redis', settings },
      '+@nosuchcategory',
    );
    const r2 = (await call(s, 'POST', `${CONNECTORS}/${unknown.id}/test`, h)).json();
    expect(r2).toEqual({
      succeeded: false,
      message: 'The mapped ACL category "nosuchcategory" does not exist in Redis at 127.0.0.1:6379.',
    });
  });
});
