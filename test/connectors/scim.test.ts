import { afterEach, describe, expect, it } from 'vitest';
import { closedPort, scimService } from './http-receivers.js';
import {
  activate,
  addConnector,
  addLoginUser,
  audited,
  call,
  connectorServer,
  CONNECTORS,
  grantsOf,
  holds,
  revokedGrant,
  until,
  type ConnectorServer,
} from './support.js';

// A small but real SCIM 2.0 service provider started by each test on 127.0.0.1 (in memory,
// PATCH of group members per RFC 7644), behind a bearer token.
const TOKEN = 'scim-token-for-elevate';

type Service = Awaited<ReturnType<typeof scimService>>;
const servers: ConnectorServer[] = [];
const services: Service[] = [];
const serve = async (o?: Parameters<typeof connectorServer>[0]) => {
  const s = await connectorServer(o);
  servers.push(s);
  return s;
};
const provider = async () => {
  const p = await scimService(TOKEN);
  services.push(p);
  return p;
};

afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const p of services.splice(0)) await p.down().catch(() => undefined);
});

/** Elevate's logins are the whole userPrincipalName here, the SCIM userName. */
const scim = (p: Service, token = TOKEN, url = p.url()) => ({
  displayName: 'Identity provider',
  type: 'scim',
  settings: { url },
  loginSource: 'userPrincipalName',
  secret: token,
});

const testOf = async (s: ConnectorServer, id: string) => {
  const r = await call(s, 'POST', `${CONNECTORS}/${id}/test`, await s.admin());
  expect(r.statusCode).toBe(200);
  return r.json<{ succeeded: boolean; message: string }>();
};

describe('SCIM out connector', () => {
  it('adds the user to the group at activation with PATCH and removes it within 2 s of the end, the user looked up once', async () => {
    const s = await serve();
    const p = await provider();
    const group = p.addGroup('Billing admins');
    const alice = p.addUser('Alice@contoso.test');
    const other = p.addUser('carol@contoso.test');
    p.setMembers(group, [other]);
    const user = await addLoginUser(s, 'alice');
    const { id } = await addConnector(s, scim(p), group);
    expect(await testOf(s, id)).toEqual({
      succeeded: true,
      message: `Connected to SCIM at 127.0.0.1:${p.port}; 1 mapped group(s) found; users are looked up by userName.`,
    });

    const { end } = await activate(s, user);
    await until('alice is a member', async () => p.members(group).includes(alice));
    let g: Record<string, unknown> | undefined;
    await until('the grant is recorded', async () => {
      [g] = await grantsOf(s, id);
      return g?.state === 'granted';
    });
    expect(g).toMatchObject({ login: 'alice@contoso.test', target: group, adopted: false });

    s.clock.bringCloser(end, 1_000);
    s.connectors.nudge(id);
    await until('alice is no member', async () => !p.members(group).includes(alice));
    expect(s.clock.now() - end).toBeLessThan(2_000);
    expect(p.members(group)).toEqual([other]);
    const revoked = await revokedGrant(s, id);
    expect(revoked).toMatchObject({ state: 'revoked', endedDateTime: new Date(end).toISOString() });

    const patches = p.requests.filter((r) => r.method === 'PATCH');
    expect(patches).toEqual([
      { method: 'PATCH', url: `/scim/v2/Groups/${group}`, authorized: true },
      { method: 'PATCH', url: `/scim/v2/Groups/${group}`, authorized: true },
    ]);
    // The user is looked up by userName once (test's probe aside) and cached for the revoke.
    const lookups = p.requests.filter((r) => r.url.startsWith('/scim/v2/Users?') && r.url.includes('alice'));
    expect(lookups).toHaveLength(1);
    // carol, a member Elevate did not make, is reported once and left alone.
    expect(await audited(s, 'Access granted outside Elevate found')).toHaveLength(1);
  });

  it('repairs a membership removed by hand in the provider (audited)', async () => {
    const s = await serve();
    const p = await provider();
    const group = p.addGroup('Billing admins');
    const alice = p.addUser('alice@contoso.test');
    const user = await addLoginUser(s, 'alice');
    const { id } = await addConnector(s, scim(p), group);
    await activate(s, user);
    await until('alice is a member', async () => p.members(group).includes(alice));

    p.setMembers(group, []);
    await until('the drift is repaired', async () => {
      await s.connectors.runAll();
      return p.members(group).includes(alice);
    });
    expect(await audited(s, 'Repair access removed outside Elevate')).toHaveLength(1);
    await s.connectors.runAll();
    expect(s.connectors.lastResult(id)).toMatchObject({ granted: 0, revoked: 0, driftRepaired: 0 });
  });

  it('removes a member whose end fell while the provider was down as soon as it is back; AuthZEN says false meanwhile', async () => {
    const s = await serve({ backoff: { baseMs: 100, maxMs: 400 } });
    const p = await provider();
    const group = p.addGroup('Billing admins');
    const alice = p.addUser('alice@contoso.test');
    const user = await addLoginUser(s, 'alice');
    const { id } = await addConnector(s, scim(p), group);
    const { end } = await activate(s, user);
    await until('alice is a member', async () => p.members(group).includes(alice));

    await p.down();
    s.clock.bringCloser(end, 300);
    s.connectors.nudge(id);
    await until('the end has passed', async () => s.clock.now() > end + 500);
    expect(await holds(s, user)).toBe(false);
    expect(p.members(group)).toEqual([alice]);
    await until(
      'the failure is audited',
      async () => (await audited(s, 'Target system unreachable')).length === 1,
    );

    await p.up();
    await until('removed once the provider is back', async () => !p.members(group).includes(alice), 5_000);
    expect(await revokedGrant(s, id)).toMatchObject({
      state: 'revoked',
      endedDateTime: new Date(end).toISOString(),
    });
  });

  it('refuses bad configuration at test with a clear message, and backs off instead of flooding the provider', async () => {
    const s = await serve({ backoff: { baseMs: 100, maxMs: 400 } });
    const p = await provider();
    const group = p.addGroup('Billing admins');
    p.addUser('bob@contoso.test');

    const closed = await closedPort();
    const unreachable = await addConnector(s, scim(p, TOKEN, `http://127.0.0.1:${closed}/scim/v2`), group);
    expect(await testOf(s, unreachable.id)).toEqual({
      succeeded: false,
      message: `Could not call SCIM at 127.0.0.1:${closed}: could not reach 127.0.0.1:${closed}: connect ECONNREFUSED 127.0.0.1:${closed}`,
    });
    const wrongToken = await addConnector(s, scim(p, 'wrong-token'), group);
    expect(await testOf(s, wrongToken.id)).toEqual({
      succeeded: false,
      message: `SCIM at 127.0.0.1:${p.port} refused the bearer token (HTTP 401).`,
    });
    const missing = await addConnector(s, scim(p), 'no-such-group');
    expect(await testOf(s, missing.id)).toEqual({
      succeeded: false,
      message: `The mapped group "no-such-group" does not exist in SCIM at 127.0.0.1:${p.port}.`,
    });

    // A holder for the connector with the wrong token: every call gets 401. Nudged 40 times over
    // ~2 s, the provider is called only as often as the back-off allows.
    const refusedCalls = () => p.requests.filter((r) => !r.authorized).length;
    const before = refusedCalls();
    await activate(s, await addLoginUser(s, 'bob'));
    const started = Date.now();
    for (let i = 0; i < 40; i += 1) {
      s.connectors.nudge(wrongToken.id);
      await new Promise((res) => setTimeout(res, 50));
    }
    const elapsed = Date.now() - started;
    // Each failed run makes one call (its list, refused): as many as the back-off allows.
    const calls = refusedCalls() - before;
    expect(calls).toBeGreaterThanOrEqual(3);
    expect(calls).toBeLessThanOrEqual(3 + Math.ceil(elapsed / 400) + 2);
    const entries = (await audited(s, 'Target system unreachable')).filter((e) =>
      JSON.stringify(e).includes(wrongToken.id),
    );
    expect(entries).toHaveLength(1);
    expect(JSON.stringify(entries[0])).toContain('answered HTTP 401');
    expect(s.connectors.attempts(wrongToken.id)).toBeLessThanOrEqual(3 + Math.ceil(elapsed / 400) + 2);
  });

  it('refuses a grant to a user the provider does not have, and holds up no other grant', async () => {
    const s = await serve({ backoff: { baseMs: 60_000, maxMs: 60_000 } });
    const p = await provider();
    const group = p.addGroup('Billing admins');
    const alice = p.addUser('alice@contoso.test');
    const { id } = await addConnector(s, scim(p), group);
    await activate(s, await addLoginUser(s, 'nobody'));
    await until('the refusal is recorded', async () =>
      (await audited(s, 'Target system unreachable')).some((e) => JSON.stringify(e).includes('nobody')),
    );
    await activate(s, await addLoginUser(s, 'alice'));
    await until('alice is a member', async () => p.members(group).includes(alice));
    const [entry] = await audited(s, 'Target system unreachable');
    expect(JSON.stringify(entry)).toContain(
      `No user has userName \\"nobody@contoso.test\\" in SCIM at 127.0.0.1:${p.port}.`,
    );
    expect((await grantsOf(s, id)).find((g) => g.login === 'nobody@contoso.test')).toMatchObject({
      state: 'granting',
    });
  });
});
