// Client-credentials throttling over real HTTP: wrong client secrets back off per client id and
// address, unknown client ids alike, and the provider's client address is the edge's.
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/time/clock.js';
import { PUBLIC_URL, testServer, type TestServer } from '../helpers/server.js';
import { listen } from './support/over-http.js';

describe('client secret throttling', () => {
  let s: TestServer;
  let clock: ManualClock;
  let base: string;

  async function start(trustedProxies?: string[]) {
    clock = new ManualClock(Date.now());
    s = await testServer({ clock, ...(trustedProxies ? { trustedProxies } : {}) });
    await s.sweeper.stop();
    base = await listen(s);
  }
  afterEach(async () => s.close());

  /** A client-credentials token request over real HTTP. */
  async function token(
    clientId: string,
    secret: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; retryAfter: string | null; body: Record<string, unknown> }> {
    const res = await fetch(`${base}/${s.boot.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: secret,
        scope: `${PUBLIC_URL}/.default`,
      }).toString(),
    });
    const text = await res.text();
    const body = text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : { html: text };
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body };
  }

  /** A second application with a secret (created straight through the API). */
  async function otherApp(): Promise<{ appId: string; secret: string }> {
    const headers = await s.admin();
    const sp = await s.app.inject({
      method: 'POST',
      url: '/v1.0/servicePrincipals',
      headers,
      payload: { displayName: 'throttled app' },
    });
    const { id, appId } = sp.json<{ id: string; appId: string }>();
    const pw = await s.app.inject({
      method: 'POST',
      url: `/v1.0/servicePrincipals/${id}/addPassword`,
      headers,
      payload: {},
    });
    return { appId, secret: pw.json<{ secretText: string }>().secretText };
  }

  const statuses = async (n: number, attempt: (i: number) => Promise<{ status: number }>) => {
    const out: number[] = [];
    for (let i = 0; i < n; i += 1) out.push((await attempt(i)).status);
    return out;
  };

  it('30 wrong secrets for one client: it gets 429 with Retry-After from that address, others do not', async () => {
    await start();
    const app = await otherApp();
    let counted = 0;
    while (counted < 30) {
      const res = await token(app.appId, `wrong-${counted}`);
      if (res.status === 429) {
        clock.advance(Number(res.retryAfter) * 1000);
        continue;
      }
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('invalid_client');
      counted += 1;
    }
    const blocked = await token(app.appId, app.secret);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.retryAfter)).toBeGreaterThan(0);
    expect(blocked.body).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'Too many failed client authentications. Try again later.',
    });
    // Another application from the same address is not affected.
    expect((await token(s.boot.app.clientId, s.boot.app.clientSecret)).status).toBe(200);
    // Once the block has passed, the right secret works and clears the client's counters.
    clock.advance(Number(blocked.retryAfter) * 1000);
    expect((await token(app.appId, app.secret)).status).toBe(200);
    const rows = await s.db.kysely.selectFrom('sign_in_throttle').select('key').execute();
    expect(rows.map((r) => r.key)).toEqual(['ip:127.0.0.1']);
  });

  it('an unknown client id is answered exactly like a known one with a wrong secret', async () => {
    await start();
    const app = await otherApp();
    const known = await statuses(8, (i) => token(app.appId, `wrong-${i}`));
    const unknown = await statuses(8, (i) => token('6b1c3e0a-0000-4000-8000-000000000001', `wrong-${i}`));
    expect(known).toEqual([401, 401, 401, 401, 401, 401, 429, 429]);
    expect(unknown).toEqual(known);
  });

  it('counts failures whatever the client accepts (an HTML error page too)', async () => {
    await start();
    const app = await otherApp();
    const html = await statuses(7, (i) => token(app.appId, `wrong-${i}`, { accept: 'text/html' }));
    expect(html).toEqual([401, 401, 401, 401, 401, 401, 429]);
  });

  it('ignores X-Forwarded-For from an untrusted peer at the token endpoint', async () => {
    await start();
    const app = await otherApp();
    const rotating = await statuses(7, (i) =>
      token(app.appId, `wrong-${i}`, { 'x-forwarded-for': `203.0.113.${i + 1}` }),
    );
    expect(rotating).toEqual([401, 401, 401, 401, 401, 401, 429]);
  });

  it('honours X-Forwarded-For from a trusted proxy: the client behind it is throttled, not the proxy', async () => {
    await start(['127.0.0.1']);
    const app = await otherApp();
    const attacker = { 'x-forwarded-for': '203.0.113.10' };
    const refused = await statuses(7, (i) => token(app.appId, `wrong-${i}`, attacker));
    expect(refused).toEqual([401, 401, 401, 401, 401, 401, 429]);
    expect((await token(app.appId, app.secret, attacker)).status).toBe(429);
    // The application itself, behind the same proxy at its own address, still gets tokens.
    expect((await token(app.appId, app.secret, { 'x-forwarded-for': '198.51.100.20' })).status).toBe(200);
  });
});
