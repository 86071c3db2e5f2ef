// Webhooks against real HTTP receivers on random ports: Standard Webhooks signatures verified with
// the `standardwebhooks` package (also with the previous secret during a rotation), per-endpoint
// event filters, retries with back-off that a receiver sees under one idempotency key, dead letters
// visible and retried through the API.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server.js';
import { auditOf, call as pimCall, ELIGIBILITY_REQUESTS, HOUR, USER_ADMINISTRATOR } from '../pim/support.js';
import {
  addUser,
  addWebhook,
  BASE,
  call,
  deliveries,
  notifyServer,
  receiver,
  verify,
  type NotifyServer,
} from './support.js';

const ROLE = USER_ADMINISTRATOR;
const SECRET = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;

describe('webhooks', () => {
  let s: NotifyServer;
  let ada: Awaited<ReturnType<typeof addUser>>;
  const open: { close(): Promise<void> }[] = [];

  beforeEach(async () => {
    s = await notifyServer({ notifications: { worker: { retry: { maxAttempts: 5 } } } });
    ada = await addUser(s, 'Ada Lovelace');
  });
  afterEach(async () => {
    await s.close();
    while (open.length) await open.pop()!.close();
  });

  async function hook(answer?: Parameters<typeof receiver>[0]) {
    const r = await receiver(answer);
    open.push(r);
    return r;
  }

  async function eligible(principalId = ada.id) {
    const res = await pimCall(s, 'POST', ELIGIBILITY_REQUESTS, await s.admin(), {
      action: 'adminAssign',
      justification: 'Help desk rota',
      ticketInfo: { ticketNumber: 'CHG-12', ticketSystem: 'Jira' },
      roleDefinitionId: ROLE,
      directoryScopeId: '/',
      principalId,
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P30D' } },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: string }>();
  }

  it('signs each call (Standard Webhooks, verified with the standardwebhooks package); the id is the delivery id', async () => {
    const r = await hook();
    const generated = await addWebhook(s, r.url);
    expect(generated.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const request = await eligible();
    await s.flush();
    expect(r.calls).toHaveLength(1);
    const [c] = r.calls;
    const body = verify(generated.secret!, c!, s.clock) as {
      type: string;
      version: number;
      data: Record<string, unknown>;
    };
    expect(body).toMatchObject({
      type: 'eligibility.granted',
      version: 1,
      timestamp: '2026-11-27T10:15:00.000Z',
      data: {
        tenantId: s.boot.tenantId,
        role: { id: ROLE, displayName: 'User Administrator' },
        principal: { id: ada.id, type: 'user', displayName: 'Ada Lovelace', userPrincipalName: ada.upn },
        request: {
          id: request.id,
          action: 'adminAssign',
          status: 'Provisioned',
          justification: 'Help desk rota',
          ticketNumber: 'CHG-12',
          ticketSystem: 'Jira',
        },
        startDateTime: '2026-11-27T10:15:00.000Z',
        endDateTime: '2026-12-27T10:15:00.000Z',
      },
    });
    expect(c!.headers['content-type']).toBe('application/json');
    expect(c!.headers['webhook-timestamp']).toBe(String(s.clock.now() / 1000));
    const [d] = await deliveries(s, "channel eq 'webhook'");
    expect(c!.headers['webhook-id']).toBe(d!.id);
    expect(d).toMatchObject({ status: 'sent', attempts: 1, recipient: generated.id, audience: null });
    // A wrong secret does not verify.
    expect(() => verify(SECRET, c!, s.clock)).toThrow(/signature/i);
  });

  it('rotation: both signatures while the previous secret is valid, then only the new one', async () => {
    const r = await hook();
    const w = await addWebhook(s, r.url, { secret: SECRET });
    expect(w.secret).toBeUndefined();
    const rotated = await call(s, 'POST', `${BASE}/webhooks/${w.id}/rotateSecret`, await s.admin(), {
      previousSecretValidMinutes: 60,
    });
    expect(rotated.statusCode, rotated.body).toBe(200);
    const next = rotated.json<{ secret: string; previousSecretExpiresDateTime: string }>();
    expect(next.previousSecretExpiresDateTime).toBe('2026-11-27T11:15:00.000Z');
    await eligible();
    await s.flush();
    const [during] = r.calls;
    expect(String(during!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verify(SECRET, during!, s.clock)).toMatchObject({ type: 'eligibility.granted' });
    expect(verify(next.secret, during!, s.clock)).toMatchObject({ type: 'eligibility.granted' });

    s.clock.advance(HOUR);
    const bob = await addUser(s, 'Bob');
    await eligible(bob.id);
    await s.flush();
    const after = r.calls[1]!;
    expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(verify(next.secret, after, s.clock)).toMatchObject({ type: 'eligibility.granted' });
    expect(() => verify(SECRET, after, s.clock)).toThrow(/signature/i);
    expect(await auditOf(s as unknown as TestServer, 'Rotate notification webhook secret')).toHaveLength(1);
  });

  it('a receiver failing 3 times then succeeding gets the message once by idempotency key', async () => {
    const r = await hook((n) => (n <= 3 ? 503 : 200));
    await addWebhook(s, r.url, { secret: SECRET });
    await eligible();
    for (let i = 0; i < 6; i += 1) {
      await s.flush();
      s.clock.advance(HOUR); // past any back-off (capped at an hour)
    }
    expect(r.calls.map((c) => c.status)).toEqual([503, 503, 503, 200]);
    expect(new Set(r.calls.map((c) => c.headers['webhook-id'])).size).toBe(1);
    expect(r.accepted()).toHaveLength(1);
    const [d] = await deliveries(s, "channel eq 'webhook'");
    expect(d).toMatchObject({ status: 'sent', attempts: 4, lastError: null });
  });

  it('waits out the back-off: no retry before the next attempt time', async () => {
    const r = await hook(() => 500);
    await addWebhook(s, r.url, { secret: SECRET });
    await eligible();
    await s.flush();
    const [d] = await deliveries(s, "channel eq 'webhook'");
    // random() = 0 in tests: half of the 30 s step.
    expect(d).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: '127.0.0.1:' + new URL(r.url).port + ' answered HTTP 500',
    });
    expect(d!.nextAttemptDateTime).toBe('2026-11-27T10:15:15.000Z');
    s.clock.advance(14_999);
    await s.flush();
    expect(r.calls).toHaveLength(1);
    s.clock.advance(1);
    await s.flush();
    expect(r.calls).toHaveLength(2);
  });

  it('a permanently failing receiver ends dead, visible through the API; a retry through the API delivers', async () => {
    let up = false;
    const r = await hook(() => (up ? 204 : 500));
    await addWebhook(s, r.url, { secret: SECRET });
    await eligible();
    for (let i = 0; i < 8; i += 1) {
      await s.flush();
      s.clock.advance(HOUR);
    }
    expect(r.calls).toHaveLength(5);
    const dead = await deliveries(s, "status eq 'dead'");
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ channel: 'webhook', attempts: 5, nextAttemptDateTime: null });
    expect(dead[0]!.lastError).toMatch(/answered HTTP 500/);

    up = true;
    const retried = await call(s, 'POST', `${BASE}/deliveries/${dead[0]!.id}/retry`, await s.admin());
    expect(retried.statusCode, retried.body).toBe(204);
    const again = await call(s, 'POST', `${BASE}/deliveries/${dead[0]!.id}/retry`, await s.admin());
    expect(again.statusCode).toBe(409);
    await s.flush();
    expect(r.accepted()).toHaveLength(1);
    expect(new Set(r.calls.map((c) => c.headers['webhook-id']))).toEqual(new Set([dead[0]!.id]));
    const [sent] = await deliveries(s, `id eq ${dead[0]!.id}`);
    expect(sent).toMatchObject({ status: 'sent', attempts: 1 });
    const entries = await auditOf(s as unknown as TestServer, 'Retry notification delivery');
    expect(entries).toHaveLength(1);
  });

  it('per-endpoint filters: each endpoint gets only the types it asked for', async () => {
    const approvals = await hook();
    const everything = await hook();
    await addWebhook(s, approvals.url, { eventTypes: ['activation.requested'] });
    await addWebhook(s, everything.url);
    await eligible();
    await s.flush();
    expect(approvals.calls).toEqual([]);
    expect(everything.calls.map((c) => (JSON.parse(c.body) as { type: string }).type)).toEqual([
      'eligibility.granted',
    ]);
  });

  it('a receiver that does not answer in time, or redirects, fails the attempt', async () => {
    await s.close();
    s = await notifyServer({ notifications: { webhookTimeoutMs: 200 } });
    ada = await addUser(s, 'Ada Lovelace');
    const redirect = await hook(() => 302);
    await addWebhook(s, redirect.url);
    const { createServer } = await import('node:http');
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    open.push({
      close: () =>
        new Promise<void>((resolve) => {
          silent.closeAllConnections();
          silent.close(() => resolve());
        }),
    });
    const port = (silent.address() as { port: number }).port;
    await addWebhook(s, `http://127.0.0.1:${port}/never`);
    await eligible();
    await s.flush();
    const errors = (await deliveries(s, "channel eq 'webhook'")).map((d) => [d.status, d.lastError]);
    expect(errors).toEqual(
      expect.arrayContaining([
        ['failed', `127.0.0.1:${port} did not answer within 200 ms`],
        ['failed', `127.0.0.1:${new URL(redirect.url).port} answered HTTP 302`],
      ]),
    );
  });

  it('deliveries of a deleted or disabled endpoint end dead with the reason; disabled endpoints get no new ones', async () => {
    const r = await hook();
    const a = await addWebhook(s, r.url);
    const b = await addWebhook(s, r.url);
    await eligible();
    await s.outbox.runOnce(); // fanned out to both; not sent yet
    expect((await call(s, 'DELETE', `${BASE}/webhooks/${a.id}`, await s.admin())).statusCode).toBe(204);
    const off = await call(s, 'PATCH', `${BASE}/webhooks/${b.id}`, await s.admin(), { isEnabled: false });
    expect(off.statusCode, off.body).toBe(200);
    await s.flush();
    expect(r.calls).toEqual([]);
    const log = await deliveries(s, "channel eq 'webhook'");
    expect(log.map((d) => [d.recipient, d.status, d.lastError]).sort()).toEqual(
      [
        [a.id, 'dead', 'PermanentDeliveryError: the webhook endpoint was deleted'],
        [b.id, 'dead', 'PermanentDeliveryError: the webhook endpoint is turned off'],
      ].sort(),
    );
    const bob = await addUser(s, 'Bob');
    await eligible(bob.id);
    await s.flush();
    expect(await deliveries(s, "channel eq 'webhook'")).toHaveLength(2);
  });
});
