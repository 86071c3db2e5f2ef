// Server-side request forgery: URLs set through the API are called only at public addresses unless
// the operator lists a network (ADR 0052). Real HTTP receivers on the loopback interface stand in
// for the internal services such a URL could point at.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callOut, CallFailed } from '../../src/net/call.js';
import { outboundFetch, OutboundAddressRefused } from '../../src/net/outbound-fetch.js';
import {
  addUser,
  addWebhook,
  deliveries,
  notifyServer,
  receiver,
  type NotifyServer,
} from '../notifications/support.js';
import { call as pimCall, ELIGIBILITY_REQUESTS, USER_ADMINISTRATOR } from '../pim/support.js';

const POST = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' };
const LIMITS = { timeoutMs: 2_000, maxBytes: 1024 };

describe('outbound calls to configured URLs', () => {
  let internal: Awaited<ReturnType<typeof receiver>>;
  let port: number;
  beforeAll(async () => {
    internal = await receiver();
    port = Number(new URL(internal.url).port);
  });
  afterAll(async () => internal.close());

  it('refuses a loopback address however it is written, before any request reaches it', async () => {
    const strict = outboundFetch();
    for (const host of ['127.0.0.1', 'localhost', '2130706433', '0x7f.1', '[::ffff:127.0.0.1]', '[::1]']) {
      const url = `http://${host}:${port}/hooks/elevate`;
      const refused = await callOut(strict, url, POST, LIMITS).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(refused, host).toBeInstanceOf(CallFailed);
      expect((refused as CallFailed).reason, host).toBe('refused');
      expect((refused as CallFailed).message, host).toMatch(
        /not a public address.*ELEVATE_OUTBOUND_ALLOW_NETWORKS/,
      );
    }
    // A name is judged by what it resolves to, at connect time.
    await expect(strict(`http://localhost:${port}/`, POST)).rejects.toSatisfy(
      (e: unknown) => e instanceof Error && e.cause instanceof OutboundAddressRefused,
    );
    expect(internal.calls).toHaveLength(0);
  });

  it('calls a listed network, and nothing outside it', async () => {
    const listed = outboundFetch({ allowNetworks: ['127.0.0.1/32'] });
    const answer = await callOut(listed, `http://localhost:${port}/hooks/elevate`, POST, LIMITS);
    expect(answer.status).toBe(204);
    expect(internal.calls).toHaveLength(1);
    await expect(callOut(listed, `http://127.0.0.2:${port}/`, POST, LIMITS)).rejects.toThrow(
      /127\.0\.0\.2 is not a public address/,
    );
    expect(internal.calls).toHaveLength(1);
  });

  it('never follows a redirect, so an allowed receiver cannot bounce a call inward', async () => {
    const bounce = await receiver(() => 307);
    try {
      const listed = outboundFetch({ allowNetworks: ['127.0.0.1'] });
      const before = internal.calls.length;
      const answer = await callOut(listed, bounce.url, POST, LIMITS);
      expect(answer.status).toBe(307);
      expect(internal.calls).toHaveLength(before);
    } finally {
      await bounce.close();
    }
  });
});

describe('a webhook at an internal address', () => {
  let s: NotifyServer;
  beforeAll(async () => {
    // Only http is allowed here (the receiver has no TLS); the loopback network is not.
    s = await notifyServer({ allowNetworks: [], notifications: { worker: { retry: { maxAttempts: 1 } } } });
  });
  afterAll(async () => s.close());

  it('is never called: the delivery fails with the reason, naming the setting', async () => {
    const r = await receiver();
    try {
      await addWebhook(s, r.url.replace('127.0.0.1', 'localhost'));
      const ada = await addUser(s, 'Ada Lovelace');
      const res = await pimCall(s, 'POST', ELIGIBILITY_REQUESTS, await s.admin(), {
        action: 'adminAssign',
        justification: 'Help desk rota',
        roleDefinitionId: USER_ADMINISTRATOR,
        directoryScopeId: '/',
        principalId: ada.id,
        scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P30D' } },
      });
      expect(res.statusCode, res.body).toBe(201);
      await s.flush();
      const errors = (await deliveries(s, "channel eq 'webhook'")).map((d) => d.lastError);
      expect(errors.length).toBeGreaterThan(0);
      for (const e of errors)
        expect(e).toMatch(
          /^refused to call localhost:\d+: localhost resolves to (127\.0\.0\.1|::1), which is not a public address .*ELEVATE_OUTBOUND_ALLOW_NETWORKS$/,
        );
      expect(r.calls).toHaveLength(0);
    } finally {
      await r.close();
    }
  });
});
