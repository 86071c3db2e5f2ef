import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { newWebhookSecret } from '../../src/domain/notifications/channel-config.js';
import { closedPort, webhookReceiver } from './http-receivers.js';
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

// A real HTTP receiver started by each test on 127.0.0.1: it verifies the Standard Webhooks
// signature of every call with its own secret and keeps who holds which target.
const TARGET = 'billing-admins';
const SECRET = newWebhookSecret();

type Receiver = Awaited<ReturnType<typeof webhookReceiver>>;
const servers: ConnectorServer[] = [];
const receivers: Receiver[] = [];
const serve = async (o?: Parameters<typeof connectorServer>[0]) => {
  const s = await connectorServer(o);
  servers.push(s);
  return s;
};
const receive = async (secret = SECRET, known = [TARGET]) => {
  const r = await webhookReceiver(secret, known);
  receivers.push(r);
  return r;
};

afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const r of receivers.splice(0)) await r.down().catch(() => undefined);
});

const webhook = (r: Receiver, settings: Record<string, unknown> = {}, secret = SECRET) => ({
  displayName: 'Billing app',
  type: 'webhook',
  settings: { url: r.url(), listUrl: r.url('/list'), ...settings },
  secret,
});

const testOf = async (s: ConnectorServer, id: string) => {
  const r = await call(s, 'POST', `${CONNECTORS}/${id}/test`, await s.admin());
  expect(r.statusCode).toBe(200);
  return r.json<{ succeeded: boolean; message: string }>();
};

describe('webhook connector', () => {
  it('grants with a signed call at activation, revokes and ends sessions within 2 s of the end, one idempotency key per change', async () => {
    const s = await serve();
    const r = await receive();
    const user = await addLoginUser(s, 'alice');
    const { id } = await addConnector(s, webhook(r, { endSessions: true }), TARGET);
    expect(await testOf(s, id)).toEqual({
      succeeded: true,
      message: `The receiver at 127.0.0.1:${r.port} accepted the signed test call for 1 mapped target(s); its list endpoint answered.`,
    });

    const { end } = await activate(s, user);
    await until('the receiver granted', async () => r.holders(TARGET).includes('alice'));
    let g: Record<string, unknown> | undefined;
    await until('the grant is recorded', async () => {
      [g] = await grantsOf(s, id);
      return g?.state === 'granted';
    });
    const grantCall = r.calls.find((c) => c.type === 'elevate.access.grant')!;
    expect(grantCall).toMatchObject({
      path: '/hooks',
      key: `${g!.id as string}.1.grant`,
      data: { target: TARGET, login: 'alice' },
    });
    expect(grantCall.idempotencyKey).toBe(grantCall.key);

    s.clock.bringCloser(end, 1_000);
    s.connectors.nudge(id);
    await until('the receiver revoked', async () => !r.holders(TARGET).includes('alice'));
    expect(s.clock.now() - end).toBeLessThan(2_000);
    const revoked = await revokedGrant(s, id);
    expect(revoked).toMatchObject({ state: 'revoked', endedDateTime: new Date(end).toISOString() });
    expect(Date.parse(revoked.revokedDateTime as string) - end).toBeLessThan(2_000);

    const types = r.calls.filter((c) => c.path === '/hooks').map((c) => c.type);
    expect(types).toEqual([
      'elevate.connector.test',
      'elevate.access.grant',
      'elevate.access.revoke',
      'elevate.sessions.end',
    ]);
    const keys = r.calls.filter((c) => c.path === '/hooks').map((c) => c.key);
    expect(new Set(keys).size).toBe(keys.length);
    const entries = await audited(s, 'Revoke access in target system');
    expect(entries).toHaveLength(1);
    expect(entries[0]!.additionalDetails).toContainEqual({ key: 'SessionsEnded', value: '1' });
  });

  it('repairs a grant removed by hand in the receiver (audited) and reports, never revokes, one made outside Elevate', async () => {
    const s = await serve();
    const r = await receive();
    const user = await addLoginUser(s, 'alice');
    const { id } = await addConnector(s, webhook(r), TARGET);
    await activate(s, user);
    await until('the receiver granted', async () => r.holders(TARGET).includes('alice'));

    r.byHand.remove(TARGET, 'alice');
    r.byHand.add(TARGET, 'mallory');
    await until('the drift is repaired', async () => {
      await s.connectors.runAll();
      return r.holders(TARGET).includes('alice');
    });
    expect(r.holders(TARGET)).toEqual(['alice', 'mallory']);
    expect(await audited(s, 'Repair access removed outside Elevate')).toHaveLength(1);
    const unmanaged = await audited(s, 'Access granted outside Elevate found');
    expect(unmanaged).toHaveLength(1);
    expect(JSON.stringify(unmanaged[0])).toContain('mallory');
    // The repair is a new change: a new key, not a replay the receiver would ignore.
    const grants = r.calls.filter((c) => c.type === 'elevate.access.grant');
    expect(grants).toHaveLength(2);
    expect(grants[0]!.key).not.toBe(grants[1]!.key);

    await s.connectors.runAll();
    expect(s.connectors.lastResult(id)).toMatchObject({
      granted: 0,
      revoked: 0,
      driftRepaired: 0,
      unmanaged: 0,
    });
    expect(await audited(s, 'Access granted outside Elevate found')).toHaveLength(1);
  });

  it('without a list endpoint tracks its own calls; an end that fell while the receiver was down is revoked once it is back, retried with the same key', async () => {
    const s = await serve({ backoff: { baseMs: 100, maxMs: 400 } });
    const r = await receive();
    const user = await addLoginUser(s, 'alice');
    const { id } = await addConnector(s, webhook(r, { listUrl: null }), TARGET);
    expect((await testOf(s, id)).message).toMatch(/no list endpoint: Elevate tracks its own calls\.$/);
    const { end } = await activate(s, user);
    await until('the receiver granted', async () => r.holders(TARGET).includes('alice'));
    expect(await holds(s, user)).toBe(true);

    await r.down();
    s.clock.bringCloser(end, 300);
    s.connectors.nudge(id);
    await until('the end has passed', async () => s.clock.now() > end + 500);
    expect(await holds(s, user)).toBe(false);
    expect(r.holders(TARGET)).toEqual(['alice']);
    await until(
      'the failure is audited',
      async () => (await audited(s, 'Target system unreachable')).length === 1,
    );

    // Back, but busy once (503): the retry after the back-off carries the same key.
    r.failNext(1);
    await r.up();
    await until('revoked once the receiver is back', async () => !r.holders(TARGET).includes('alice'), 5_000);
    const revokes = r.calls.filter((c) => c.type === 'elevate.access.revoke');
    expect(revokes).toHaveLength(2);
    expect(revokes[0]!.key).toBe(revokes[1]!.key);
    const g = await revokedGrant(s, id);
    expect(g).toMatchObject({ state: 'revoked', endedDateTime: new Date(end).toISOString() });
    // Nothing was ever asked of a list endpoint.
    expect(r.calls.filter((c) => c.path !== '/hooks')).toEqual([]);
  });

  it('refuses bad configuration at test with a clear message, and backs off instead of flooding the receiver', async () => {
    const s = await serve({ backoff: { baseMs: 100, maxMs: 400 } });
    const r = await receive();

    const closed = await closedPort();
    const unreachable = await addConnector(
      s,
      { ...webhook(r), settings: { url: `http://127.0.0.1:${closed}/hooks` } },
      TARGET,
    );
    expect(await testOf(s, unreachable.id)).toEqual({
      succeeded: false,
      message: `Could not call the receiver: could not reach 127.0.0.1:${closed}: connect ECONNREFUSED 127.0.0.1:${closed}`,
    });

    const wrongSecret = await addConnector(s, webhook(r, {}, newWebhookSecret()), TARGET);
    expect(await testOf(s, wrongSecret.id)).toEqual({
      succeeded: false,
      message: `The receiver at 127.0.0.1:${r.port} refused the signed test call (HTTP 401): check that it verifies signatures with this connector's secret.`,
    });

    const unknown = await addConnector(s, webhook(r), 'no-such-target');
    expect(await testOf(s, unknown.id)).toEqual({
      succeeded: false,
      message: `The receiver at 127.0.0.1:${r.port} does not know the mapped target(s) "no-such-target".`,
    });

    // A holder for a connector whose secret the receiver refuses: every call gets 401. Nudged 40
    // times over ~2 s, the receiver is called only as often as the back-off allows.
    const flooded = await receive(newWebhookSecret());
    const refused = await addConnector(s, webhook(flooded, { listUrl: null }), TARGET);
    await activate(s, await addLoginUser(s, 'bob'));
    const started = Date.now();
    for (let i = 0; i < 40; i += 1) {
      s.connectors.nudge(refused.id);
      await new Promise((res) => setTimeout(res, 50));
    }
    const elapsed = Date.now() - started;
    expect(flooded.hits).toBeGreaterThanOrEqual(3);
    expect(flooded.hits).toBeLessThanOrEqual(3 + Math.ceil(elapsed / 400) + 2);
    const entries = (await audited(s, 'Target system unreachable')).filter((e) =>
      JSON.stringify(e).includes(refused.id),
    );
    expect(entries).toHaveLength(1);
    expect(JSON.stringify(entries[0])).toContain(`answered HTTP 401`);
  });

  it('follows no redirect and reads no answer beyond its bound', async () => {
    const s = await serve();
    // A receiver that redirects every call elsewhere, and a list endpoint that answers 5 MiB.
    const hostile = createServer((req, res) => {
      req.resume();
      if (req.url === '/big') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(`{"grants":[${'"x",'.repeat(1_310_720)}"x"]}`);
      } else res.writeHead(307, { location: 'http://elsewhere.example/hooks' }).end();
    });
    await new Promise<void>((r) => hostile.listen(0, '127.0.0.1', r));
    const port = (hostile.address() as AddressInfo).port;
    try {
      const redirected = await addConnector(
        s,
        { ...webhook(await receive()), settings: { url: `http://127.0.0.1:${port}/hooks` } },
        TARGET,
      );
      expect(await testOf(s, redirected.id)).toEqual({
        succeeded: false,
        message: `Could not call the receiver: 127.0.0.1:${port} answered HTTP 307 (a redirect to elsewhere.example); Elevate does not follow redirects: set the final URL`,
      });
      const r = await receive();
      const big = await addConnector(s, webhook(r, { listUrl: `http://127.0.0.1:${port}/big` }), TARGET);
      expect(await testOf(s, big.id)).toEqual({
        succeeded: false,
        message: `The list endpoint failed: 127.0.0.1:${port}: the answer is larger than 4194304 bytes`,
      });
    } finally {
      await new Promise((r) => hostile.close(r));
    }
  });

  it('takes https only unless the operator allows http, a whsec_ secret sealed at rest and never returned', async () => {
    const s = await serve({ allowHttp: false });
    const h = await s.admin();
    const body = (settings: Record<string, unknown>, secret: string | undefined = SECRET) => ({
      displayName: 'Hooks',
      type: 'webhook',
      settings,
      ...(secret === undefined ? {} : { secret }),
    });
    const http = await call(s, 'POST', CONNECTORS, h, body({ url: 'http://hooks.example.com/elevate' }));
    expect(http.statusCode).toBe(400);
    expect(http.json<{ error: { message: string } }>().error.message).toMatch(
      /^settings\.url must use https:\/\/; plain http:\/\/ is accepted only when the operator allows it/,
    );
    const httpList = await call(
      s,
      'POST',
      CONNECTORS,
      h,
      body({ url: 'https://hooks.example.com/elevate', listUrl: 'http://hooks.example.com/list' }),
    );
    expect(httpList.statusCode).toBe(400);
    expect(httpList.json<{ error: { message: string } }>().error.message).toMatch(
      /^settings\.listUrl must use https/,
    );
    const noUrl = await call(s, 'POST', CONNECTORS, h, body({}));
    expect(noUrl.statusCode).toBe(400);
    expect(noUrl.json<{ error: { message: string } }>().error.message).toBe(
      'settings.url is required for webhook and scim.',
    );
    const badSecret = await call(
      s,
      'POST',
      CONNECTORS,
      h,
      body({ url: 'https://hooks.example.com/e' }, 'hunter2'),
    );
    expect(badSecret.statusCode).toBe(400);
    expect(badSecret.json<{ error: { message: string } }>().error.message).toMatch(
      /^secret of a webhook connector must be 'whsec_'/,
    );
    const before = await call(s, 'GET', CONNECTORS, h);
    expect(before.json<{ value: unknown[] }>().value).toHaveLength(0);

    const ok = await call(
      s,
      'POST',
      CONNECTORS,
      h,
      body({ url: 'https://hooks.example.com:8443/elevate?token=abc', endSessions: true }),
    );
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.body).not.toContain(SECRET);
    expect(ok.json()).toMatchObject({
      type: 'webhook',
      hasSecret: true,
      settings: {
        host: 'hooks.example.com',
        port: 8443,
        url: 'https://hooks.example.com:8443/elevate?token=abc',
        listUrl: null,
        endSessions: true,
        scimUserAttribute: null,
      },
    });
    const id = ok.json<{ id: string }>().id;
    const row = await s.db.kysely
      .selectFrom('connectors')
      .select(['secret_sealed', 'settings'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.secret_sealed).not.toBeNull();
    expect(row.secret_sealed).not.toContain(SECRET.slice(6));
    expect((await call(s, 'GET', `${CONNECTORS}/${id}`, h)).body).not.toContain(SECRET);
    // The audit log names the URL without its query (it may carry a token).
    const [created] = await audited(s, 'Add connector');
    expect(JSON.stringify(created)).toContain('https://hooks.example.com:8443/elevate');
    expect(JSON.stringify(created)).not.toContain('token=abc');
  });
});
