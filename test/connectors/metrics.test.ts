import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { activate, addConnector, addLoginUser, connectorServer, type ConnectorServer } from './support.js';

// Metrics of a real grant and revoke (Redis ACL, the fastest target here) through `/metrics`.
const REDIS = { host: '127.0.0.1', port: 6379 };
const login = `el_m_${randomBytes(4).toString('hex')}`;
const TOKEN = randomBytes(24).toString('base64url');
const admin = createClient({ socket: REDIS });
const servers: ConnectorServer[] = [];

beforeAll(async () => {
  await admin.connect();
  await admin.sendCommand(['ACL', 'SETUSER', login, 'off']);
});
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
afterAll(async () => {
  await admin.sendCommand(['ACL', 'DELUSER', login]);
  admin.destroy();
});

const isOn = async () =>
  ((await admin.sendCommand(['ACL', 'LIST'])) as unknown as string[]).some((r) =>
    r.startsWith(`user ${login} on `),
  );

describe('/metrics', () => {
  it('is not served without ELEVATE_METRICS_TOKEN', async () => {
    const s = await connectorServer();
    servers.push(s);
    const r = await s.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(r.statusCode).toBe(404);
  });

  it('asks for the token, then shows p50/p95 activation-to-effective and end-to-revoked per connector', async () => {
    const s = await connectorServer({ metricsToken: TOKEN });
    servers.push(s);
    expect((await s.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    const wrong = await s.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrong.statusCode).toBe(401);

    const user = await addLoginUser(s, login);
    const { id } = await addConnector(s, { displayName: 'Cache', type: 'redis', settings: REDIS }, 'on');
    const { end } = await activate(s, user);
    const deadline = Date.now() + 10_000;
    while (!(await isOn()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    s.clock.bringCloser(end, 200);
    s.connectors.nudge(id);
    while ((await isOn()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    expect(await isOn()).toBe(false);

    // The revoke is recorded (and measured) just after the target confirmed it.
    const labels = `connector="${id}",type="redis"`;
    const scrape = () =>
      s.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    let r = await scrape();
    while (!r.body.includes(`end_to_revoked_seconds_count{${labels}} 1`) && Date.now() < deadline) {
      await new Promise((done) => setTimeout(done, 25));
      r = await scrape();
    }
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/plain/);
    for (const q of ['0.5', '0.95'])
      for (const name of ['activation_to_effective', 'end_to_revoked'])
        expect(r.body).toMatch(
          new RegExp(`^elevate_connector_${name}_seconds\\{quantile="${q}",${labels}\\} \\d`, 'm'),
        );
    expect(r.body).toContain(`elevate_connector_activation_to_effective_seconds_count{${labels}} 1`);
    expect(r.body).toContain(`elevate_connector_end_to_revoked_seconds_count{${labels}} 1`);
    expect(r.body).toContain('# TYPE elevate_connector_reconcile_errors_total counter');
    expect(r.body).toContain('# TYPE elevate_connector_drift_found_total counter');
  });
});
