// The Shared Signals transmitter (ADR 0040) against real receivers on loopback ports: SETs signed
// with Elevate's token keys and verified with `jose` against the published JWKS; CAEP events for
// deactivation, expiry at the exact end, removals and disabled accounts; back-off without a flood
// while a receiver is down or failing; RFC 8935 errors; stream management and its refusals.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeSsfDelivery } from '../../src/app/ssf/deliver.js';
import { makeSsfFanOut } from '../../src/app/ssf/fan-out.js';
import { MIN_ACTIVE_DURATION_MS } from '../../src/domain/pim/window.js';
import { newId } from '../../src/domain/shared/ids.js';
import { makeSetSigner } from '../../src/identity/tokens/set-signer.js';
import { setTransport } from '../../src/jobs/ssf-delivery.js';
import { createUnitOfWork } from '../../src/modules/unit-of-work.js';
import { signingKeyStore } from '../../src/store/identity/identity-stores.js';
import { ssfWorkerStore } from '../../src/store/ssf/ssf-stores.js';
import { PUBLIC_URL } from '../helpers/server.js';
import { activate, addLoginUser, call, EXCHANGE_ADMINISTRATOR } from '../connectors/support.js';
import { outboundFetch } from '../../src/net/outbound-fetch.js';
import type { TestServer } from '../helpers/server.js';
import { appAt, useCases, userCaller } from '../pim/support.js';
import {
  CLAIMS_CHANGE,
  receiver,
  SESSION_REVOKED,
  sleep,
  ssfServer,
  STREAMS,
  until,
  VERIFICATION,
  verifySet,
  type SsfServer,
} from './support.js';

const EXCHANGE_TEMPLATE = EXCHANGE_ADMINISTRATOR;
type Receiver = Awaited<ReturnType<typeof receiver>>;

describe('shared signals transmitter', () => {
  let s: SsfServer;
  const open: Receiver[] = [];

  beforeEach(async () => {
    s = await ssfServer();
  });
  afterEach(async () => {
    await s.close();
    while (open.length) await open.pop()!.close();
  });

  async function hook(answer?: Parameters<typeof receiver>[1]) {
    const r = await receiver(s.clock, answer);
    open.push(r);
    return r;
  }

  async function addStream(body: Record<string, unknown>) {
    const res = await call(s, 'POST', STREAMS, await s.admin(), body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ stream_id: string; aud: string }>();
  }

  const both = { events_requested: [SESSION_REVOKED, CLAIMS_CHANGE] };

  async function deactivate(userId: string) {
    const t = s as unknown as TestServer;
    // Entra refuses a deactivation in the first minutes of an activation.
    s.clock.offsetMs += MIN_ACTIVE_DURATION_MS + 1_000;
    const r = await useCases(t, s.clock).requests.create(userCaller(t, userId), {
      kind: 'assignment',
      action: 'selfDeactivate',
      principalId: userId,
      roleDefinitionId: EXCHANGE_ADMINISTRATOR,
      directoryScopeId: '/',
      justification: null,
      ticketInfo: null,
      scheduleInfo: null,
      isValidationOnly: false,
      customData: null,
    });
    expect(r.status).toBe('Revoked');
    return r;
  }

  it('a group membership removed: both events, the claims without the group', async () => {
    const r = await hook();
    await addStream({ delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: r.url }, ...both });
    const h = await s.admin();
    const ada = await addLoginUser(s, 'ada');
    const group = async (name: string) => {
      const res = await call(s, 'POST', '/v1.0/groups', h, {
        displayName: name,
        mailNickname: name,
        mailEnabled: false,
        securityEnabled: true,
      });
      expect(res.statusCode, res.body).toBe(201);
      const id = res.json<{ id: string }>().id;
      const add = await call(s, 'POST', `/v1.0/groups/${id}/members/$ref`, h, {
        '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${ada}`,
      });
      expect(add.statusCode, add.body).toBe(204);
      return id;
    };
    const kept = await group('kept');
    const dropped = await group('dropped');
    await sleep(300);
    expect(r.pushes).toHaveLength(0);
    const del = await call(s, 'DELETE', `/v1.0/groups/${dropped}/members/${ada}/$ref`, h);
    expect(del.statusCode, del.body).toBe(204);
    await until('two SETs', () => r.pushes.length >= 2);
    const sets = await Promise.all(r.pushes.map((p) => verifySet(s, p.jwt, r.url)));
    const change = sets
      .map((p) => (p.events as Record<string, Record<string, unknown>>)[CLAIMS_CHANGE])
      .find((e) => e !== undefined)!;
    expect(change).toMatchObject({ initiating_entity: 'admin', claims: { wids: [], groups: [kept] } });
  });

  it('a message handed over twice writes one SET per stream and type; replicas push each once', async () => {
    const r = await hook();
    await addStream({
      delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: r.url },
      events_requested: [SESSION_REVOKED],
    });
    // This test is the delivery worker: three replicas of it over the same database.
    await s.ssf.stop();
    const fanOut = makeSsfFanOut({ uow: createUnitOfWork(s.db), clock: s.clock, newId, issuer: PUBLIC_URL });
    const messages = Array.from({ length: 12 }, (_, i) => ({
      id: newId(),
      tenantId: s.boot.tenantId,
      type: 'directory.userDeleted',
      occurredAt: s.clock.now(),
      payload: { userId: newId() },
      seq: i + 1,
      attempt: 1,
    }));
    for (const m of messages) {
      await fanOut.handle(m);
      await fanOut.handle({ ...m, attempt: 2 });
    }
    const rows = await s.db.kysely.selectFrom('ssf_deliveries').select('id').execute();
    expect(rows).toHaveLength(12);
    // The test's receiver listens on the loopback interface.
    const loopback = outboundFetch({ allowNetworks: ['127.0.0.0/8'] });
    const replica = () =>
      makeSsfDelivery({
        store: ssfWorkerStore(s.db.kysely),
        signer: makeSetSigner(signingKeyStore(s.db.kysely, s.box)),
        transport: setTransport({ fetch: loopback }),
        sealer: s.box,
        clock: s.clock,
        replicaId: newId(),
        batch: 3,
      });
    const replicas = [replica(), replica(), replica()];
    for (let round = 0; round < 10 && r.pushes.length < 12; round += 1)
      await Promise.all(replicas.map((x) => x.runOnce()));
    expect(r.pushes).toHaveLength(12);
    const sets = await Promise.all(r.pushes.map((p) => verifySet(s, p.jwt, r.url)));
    expect(new Set(sets.map((p) => p.jti)).size).toBe(12);
    expect(sets.map((p) => p.txn).sort()).toEqual(messages.map((m) => m.id).sort());
    // Sent SETs are kept for the retention, then pruned; a waiting one never is.
    await fanOut.handle({ ...messages[0]!, id: newId() });
    await sleep(5);
    const pruning = makeSsfDelivery({
      store: ssfWorkerStore(s.db.kysely),
      signer: { sign: () => Promise.reject(new Error('down')) },
      transport: setTransport({ fetch: loopback }),
      sealer: s.box,
      clock: s.clock,
      replicaId: newId(),
      retentionMs: 0,
    });
    await pruning.runOnce();
    const left = await s.db.kysely.selectFrom('ssf_deliveries').select('status').execute();
    expect(left).toEqual([{ status: 'pending' }]);
  });

  it('publishes its metadata; the JWKS it names is the one tokens are verified with', async () => {
    const res = await s.app.inject({ method: 'GET', url: '/.well-known/ssf-configuration' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      spec_version: '1_0',
      issuer: 'http://127.0.0.1:8080',
      jwks_uri: 'http://127.0.0.1:8080/discovery/v2.0/keys',
      delivery_methods_supported: ['urn:ietf:rfc:8935'],
      configuration_endpoint: 'http://127.0.0.1:8080/ssf/streams',
      status_endpoint: 'http://127.0.0.1:8080/ssf/status',
      verification_endpoint: 'http://127.0.0.1:8080/ssf/verify',
      authorization_schemes: [{ spec_urn: 'urn:ietf:rfc:6749' }],
      default_subjects: 'ALL',
    });
    const oidc = await s.app.inject({ method: 'GET', url: '/.well-known/openid-configuration' });
    expect(oidc.json<{ jwks_uri: string }>().jwks_uri).toBe(res.json<{ jwks_uri: string }>().jwks_uri);
  });

  it('a deactivation pushes token-claims-change and session-revoked, signed, once each, with the new wids', async () => {
    const r = await hook();
    const stream = await addStream({
      delivery: {
        method: 'urn:ietf:rfc:8935',
        endpoint_url: r.url,
        authorization_header: 'Bearer receiver-secret',
      },
      aud: 'https://app.contoso.test',
      ...both,
    });
    const ada = await addLoginUser(s, 'ada');
    await activate(s, ada, EXCHANGE_ADMINISTRATOR, 60);
    // The activation itself says nothing: only ends are published.
    await sleep(400);
    expect(r.pushes).toHaveLength(0);

    await deactivate(ada);
    await until('two SETs', () => r.pushes.length >= 2);
    await sleep(500); // nothing more comes (no duplicate from the relay or the worker)
    expect(r.pushes).toHaveLength(2);

    const sets = await Promise.all(r.pushes.map((p) => verifySet(s, p.jwt, 'https://app.contoso.test')));
    for (const p of r.pushes) {
      expect(p.contentType).toBe('application/secevent+jwt');
      expect(p.authorization).toBe('Bearer receiver-secret');
    }
    const byType = Object.fromEntries(sets.map((p) => [Object.keys(p.events as object)[0], p]));
    expect(Object.keys(byType).sort()).toEqual([SESSION_REVOKED, CLAIMS_CHANGE].sort());
    const subject = {
      format: 'complex',
      user: { format: 'iss_sub', iss: 'http://127.0.0.1:8080', sub: ada },
      tenant: { format: 'opaque', id: s.boot.tenantId },
    };
    for (const p of sets) {
      expect(p.iss).toBe('http://127.0.0.1:8080');
      expect(p.sub_id).toEqual(subject);
      expect(typeof p.jti).toBe('string');
    }
    // One domain event: the same txn on both, distinct jti.
    expect(sets[0]!.txn).toBe(sets[1]!.txn);
    expect(sets[0]!.jti).not.toBe(sets[1]!.jti);
    const claims = (byType[CLAIMS_CHANGE]!.events as Record<string, Record<string, unknown>>)[CLAIMS_CHANGE]!;
    expect(claims).toMatchObject({ initiating_entity: 'user', claims: { wids: [], groups: [] } });
    expect(claims.wids).toBeUndefined();
    const revoked = (byType[SESSION_REVOKED]!.events as Record<string, Record<string, unknown>>)[
      SESSION_REVOKED
    ]!;
    expect(revoked).toMatchObject({ initiating_entity: 'user', reason_admin: { en: expect.any(String) } });
    expect(revoked.event_timestamp).toBeTypeOf('number');
    // The stream's own authorization header is never returned.
    const got = await call(s, 'GET', `${STREAMS}?stream_id=${stream.stream_id}`, await s.admin());
    expect(got.body).not.toContain('receiver-secret');
  });

  it('an activation that expires: session-revoked stamped at the exact end, within 2 s of it; other roles stay in wids', async () => {
    const r = await hook();
    await addStream({ delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: r.url }, ...both });
    const ada = await addLoginUser(s, 'ada');
    const GLOBAL_READER = 'f2ef992c-3afb-46b9-b7cf-a126ee74c451';
    await activate(s, ada, GLOBAL_READER, 120);
    const { end } = await activate(s, ada, EXCHANGE_ADMINISTRATOR, 5);
    s.clock.bringCloser(end, 300);
    await until('the SETs of the expiry', () => r.pushes.length >= 2, 5_000);
    const last = Math.max(...r.pushes.map((p) => p.at));
    expect(last - end).toBeLessThan(2_000);
    expect(last).toBeGreaterThanOrEqual(end);
    for (const p of r.pushes) {
      const set = await verifySet(s, p.jwt, r.url);
      const [type, event] = Object.entries(set.events as Record<string, Record<string, unknown>>)[0]!;
      expect(event.event_timestamp).toBe(Math.floor(end / 1000));
      expect(event.initiating_entity).toBe('policy');
      if (type === CLAIMS_CHANGE) expect(event.claims).toEqual({ wids: [GLOBAL_READER], groups: [] });
    }
    expect(r.pushes.length).toBe(2);
    expect(EXCHANGE_TEMPLATE).not.toBe(GLOBAL_READER);
  });

  it('a receiver that is down gets the SETs when it returns, after a bounded number of tries', async () => {
    s = await (async () => {
      await s.close();
      return ssfServer({ backoff: { baseMs: 300, maxMs: 600 } });
    })();
    const r = await hook(() => ({ status: 503 }));
    const stream = await addStream({
      delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: r.url },
      ...both,
    });
    const ada = await addLoginUser(s, 'ada');
    await activate(s, ada, EXCHANGE_ADMINISTRATOR, 60);
    await deactivate(ada);
    await until('a first try', () => r.pushes.length >= 1);
    await sleep(2_000);
    // Back-off per stream: one try per step (300, 600, 600… ms), never both SETs per step.
    expect(r.pushes.length).toBeGreaterThanOrEqual(2);
    expect(r.pushes.length).toBeLessThanOrEqual(6);
    expect(new Set(r.pushes.map((p) => p.jwt.split('.')[1])).size).toBe(1);

    // Then the port is closed altogether: connection refused counts the same.
    await r.down();
    const status = await call(s, 'GET', `/ssf/status?stream_id=${stream.stream_id}`, await s.admin());
    expect(status.json()).toEqual({ stream_id: stream.stream_id, status: 'enabled' });
    await sleep(800);
    r.answer(() => ({ status: 202 }));
    const failedTries = r.pushes.length;
    await r.up();
    await until('both delivered', () => r.pushes.length >= failedTries + 2, 5_000);
    await sleep(400);
    const delivered = r.pushes.slice(failedTries);
    expect(delivered).toHaveLength(2);
    const types = await Promise.all(
      delivered.map(async (p) => Object.keys((await verifySet(s, p.jwt, r.url)).events as object)[0]),
    );
    expect(types.sort()).toEqual([SESSION_REVOKED, CLAIMS_CHANGE].sort());
  });

  it('an RFC 8935 error refuses that SET for good; the stream goes on with the next', async () => {
    let n = 0;
    const r = await hook(() =>
      ++n === 1
        ? { status: 400, body: { err: 'invalid_audience', description: 'not for us' } }
        : { status: 202 },
    );
    await addStream({ delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: r.url }, ...both });
    const ada = await addLoginUser(s, 'ada');
    await activate(s, ada, EXCHANGE_ADMINISTRATOR, 60);
    await deactivate(ada);
    await until('two pushes', () => r.pushes.length >= 2);
    await sleep(600);
    expect(r.pushes).toHaveLength(2);
    const rows = await s.db.kysely.selectFrom('ssf_deliveries').select(['status', 'last_error']).execute();
    expect(rows.map((x) => x.status).sort()).toEqual(['failed', 'sent']);
    expect(rows.find((x) => x.status === 'failed')!.last_error).toBe('HTTP 400 invalid_audience: not for us');
  });

  it('only the events a stream asked for; a disabled account revokes sessions; a paused stream keeps its SETs', async () => {
    const claimsOnly = await hook();
    const revokedOnly = await hook();
    await addStream({
      delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: claimsOnly.url },
      events_requested: [CLAIMS_CHANGE],
    });
    const paused = await addStream({
      delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: revokedOnly.url },
      events_requested: [SESSION_REVOKED],
    });
    const h = await s.admin();
    const pause = await call(s, 'POST', '/ssf/status', h, {
      stream_id: paused.stream_id,
      status: 'paused',
      reason: 'maintenance',
    });
    expect(pause.json()).toEqual({ stream_id: paused.stream_id, status: 'paused', reason: 'maintenance' });
    const ada = await addLoginUser(s, 'ada');
    const off = await call(s, 'PATCH', `/v1.0/users/${ada}`, h, { accountEnabled: false });
    expect(off.statusCode, off.body).toBe(204);
    await sleep(800);
    // No claims change for a disabled account; the paused stream holds its SET.
    expect(claimsOnly.pushes).toHaveLength(0);
    expect(revokedOnly.pushes).toHaveLength(0);
    await call(s, 'POST', '/ssf/status', h, { stream_id: paused.stream_id, status: 'enabled' });
    await until('the held SET', () => revokedOnly.pushes.length === 1);
    const set = await verifySet(s, revokedOnly.pushes[0]!.jwt, revokedOnly.url);
    expect(Object.keys(set.events as object)).toEqual([SESSION_REVOKED]);
    expect((set.sub_id as { user: { sub: string } }).user.sub).toBe(ada);
  });

  it('verification: the state echoed in a signed verification event; again within 10 s is 429', async () => {
    const r = await hook();
    const stream = await addStream({ delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: r.url } });
    const h = await s.admin();
    const v = await call(s, 'POST', '/ssf/verify', h, { stream_id: stream.stream_id, state: 'VGhpcyBpcyBh' });
    expect(v.statusCode, v.body).toBe(204);
    await until('the verification event', () => r.pushes.length === 1);
    const set = await verifySet(s, r.pushes[0]!.jwt, r.url);
    expect(set.events).toEqual({ [VERIFICATION]: { state: 'VGhpcyBpcyBh' } });
    expect(set.sub_id).toEqual({ format: 'opaque', id: stream.stream_id });
    const again = await call(s, 'POST', '/ssf/verify', h, { stream_id: stream.stream_id });
    expect(again.statusCode).toBe(429);
    expect(again.json()).toMatchObject({ error: { code: 'TooManyRequests' } });
    // The request is audited with its state; the refused second one changed nothing.
    const audit = await call(
      s,
      'GET',
      "/v1.0/auditLogs/directoryAudits?$filter=activityDisplayName eq 'Request shared signals stream verification'",
      h,
    );
    const entries = audit.json<{ value: AuditJson[] }>().value.filter((e) => e.result === 'success');
    expect(entries).toHaveLength(1);
    expect(entries[0]!.targetResources[0]).toMatchObject({
      id: stream.stream_id,
      modifiedProperties: [{ displayName: 'State', newValue: '["VGhpcyBpcyBh"]' }],
    });
  });

  it('manages streams: create, read, list, change, delete; the authorization header never comes back', async () => {
    const h = await s.admin();
    const created = await addStream({
      delivery: {
        method: 'urn:ietf:rfc:8935',
        endpoint_url: 'http://127.0.0.1:9/a',
        authorization_header: 'Bearer x1',
      },
      events_requested: [SESSION_REVOKED, SESSION_REVOKED],
      description: 'Contoso portal',
    });
    expect(created).toEqual({
      stream_id: expect.any(String),
      iss: 'http://127.0.0.1:8080',
      aud: 'http://127.0.0.1:9/a',
      events_supported: [SESSION_REVOKED, CLAIMS_CHANGE],
      events_requested: [SESSION_REVOKED],
      events_delivered: [SESSION_REVOKED],
      delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: 'http://127.0.0.1:9/a' },
      description: 'Contoso portal',
      min_verification_interval: 10,
    });
    const id = created.stream_id;
    const patched = await call(s, 'PATCH', STREAMS, h, {
      stream_id: id,
      events_requested: [CLAIMS_CHANGE],
      delivery: { method: 'urn:ietf:rfc:8935', authorization_header: null },
      description: null,
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ events_delivered: [CLAIMS_CHANGE] });
    expect(patched.json()).not.toHaveProperty('description');
    const list = await call(s, 'GET', STREAMS, h);
    expect(list.json<unknown[]>()).toHaveLength(1);
    const row = await s.db.kysely
      .selectFrom('ssf_streams')
      .select('authorization_sealed')
      .executeTakeFirstOrThrow();
    expect(row.authorization_sealed).toBeNull();
    expect((await call(s, 'DELETE', `${STREAMS}?stream_id=${id}`, h)).statusCode).toBe(204);
    expect((await call(s, 'GET', `${STREAMS}?stream_id=${id}`, h)).statusCode).toBe(404);
    expect((await call(s, 'DELETE', `${STREAMS}?stream_id=${id}`, h)).statusCode).toBe(404);
    // Audited like every configuration change.
    const audit = await call(
      s,
      'GET',
      "/v1.0/auditLogs/directoryAudits?$filter=startswith(activityDisplayName, 'Add shared signals')",
      h,
    );
    expect(audit.json<{ value: unknown[] }>().value).toHaveLength(1);
  });

  it('sealed at rest: the stored header is not the secret', async () => {
    await addStream({
      delivery: {
        method: 'urn:ietf:rfc:8935',
        endpoint_url: 'http://127.0.0.1:9/a',
        authorization_header: 'Bearer very-secret-value',
      },
    });
    const row = await s.db.kysely
      .selectFrom('ssf_streams')
      .select('authorization_sealed')
      .executeTakeFirstOrThrow();
    expect(row.authorization_sealed).not.toContain('very-secret-value');
  });

  it.each([
    ['a relative URL', { delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: '/events' } }],
    ['an ftp URL', { delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: 'ftp://h.example/e' } }],
    [
      'credentials in the URL',
      { delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: 'https://u:p@h.example/e' } },
    ],
    ['a fragment', { delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: 'https://h.example/e#x' } }],
    [
      'a huge URL',
      { delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: `https://h.example/${'a'.repeat(3000)}` } },
    ],
    ['poll delivery', { delivery: { method: 'urn:ietf:rfc:8936', endpoint_url: 'https://h.example/e' } }],
    [
      'an unknown event type',
      {
        delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: 'https://h.example/e' },
        events_requested: ['https://schemas.openid.net/secevent/caep/event-type/credential-change'],
      },
    ],
    [
      'too many event types',
      {
        delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: 'https://h.example/e' },
        events_requested: Array.from({ length: 17 }, () => SESSION_REVOKED),
      },
    ],
    [
      'a huge description',
      {
        delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: 'https://h.example/e' },
        description: 'd'.repeat(600),
      },
    ],
    [
      'a huge authorization header',
      {
        delivery: {
          method: 'urn:ietf:rfc:8935',
          endpoint_url: 'https://h.example/e',
          authorization_header: 'B'.repeat(5000),
        },
      },
    ],
    [
      'a header with a line break',
      {
        delivery: {
          method: 'urn:ietf:rfc:8935',
          endpoint_url: 'https://h.example/e',
          authorization_header: 'Bearer a\r\nX-Evil: 1',
        },
      },
    ],
    [
      'an unknown property',
      { delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: 'https://h.example/e' }, x: 1 },
    ],
    ['no delivery', { events_requested: [SESSION_REVOKED] }],
  ])('refuses %s with 400 and creates nothing', async (_what, body) => {
    const h = await s.admin();
    const res = await call(s, 'POST', STREAMS, h, body);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
    expect(await call(s, 'GET', STREAMS, h).then((r) => r.json<unknown[]>())).toHaveLength(0);
    const rows = await s.db.kysely.selectFrom('ssf_streams').select('id').execute();
    expect(rows).toHaveLength(0);
  });

  it('a bad change is refused and changes nothing; unknown and malformed ids', async () => {
    const h = await s.admin();
    const created = await addStream({
      delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: 'https://h.example/e' },
    });
    const before = await call(s, 'GET', `${STREAMS}?stream_id=${created.stream_id}`, h);
    for (const body of [
      { stream_id: created.stream_id, delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: 'nope' } },
      { stream_id: created.stream_id, events_requested: ['urn:example:unknown'] },
      { stream_id: created.stream_id, aud: 'a'.repeat(600) },
    ]) {
      const res = await call(s, 'PATCH', STREAMS, h, body);
      expect(res.statusCode, res.body).toBe(400);
    }
    const after = await call(s, 'GET', `${STREAMS}?stream_id=${created.stream_id}`, h);
    expect(after.json()).toEqual(before.json());
    expect((await call(s, 'GET', `${STREAMS}?stream_id=not-a-guid`, h)).statusCode).toBe(400);
    const unknown = await call(s, 'GET', `/ssf/status?stream_id=00000000-0000-4000-8000-000000000000`, h);
    expect(unknown.statusCode).toBe(404);
    const badStatus = await call(s, 'POST', '/ssf/status', h, { stream_id: created.stream_id, status: 'on' });
    expect(badStatus.statusCode).toBe(400);
  });

  it('needs a token, and a role administrator or RoleManagement.ReadWrite.Directory to write', async () => {
    expect((await s.app.inject({ method: 'GET', url: STREAMS })).statusCode).toBe(401);
    const t = s as unknown as TestServer;
    const reader = await appAt(t, s.clock, ['RoleManagement.Read.Directory']);
    const rh = await reader.headers();
    expect((await call(s, 'GET', STREAMS, rh)).statusCode).toBe(200);
    const refused = await call(s, 'POST', STREAMS, rh, {
      delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: 'https://h.example/e' },
    });
    expect(refused.statusCode).toBe(403);
    const writer = await appAt(t, s.clock, ['RoleManagement.ReadWrite.Directory']);
    const ok = await call(s, 'POST', STREAMS, await writer.headers(), {
      delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: 'https://h.example/e' },
    });
    expect(ok.statusCode, ok.body).toBe(201);
  });
});

interface AuditJson {
  result: string;
  targetResources: { id: string; modifiedProperties: { displayName: string; newValue: string | null }[] }[];
}
