// Break-glass accounts (ADR 0033) over HTTP, on SQLite and PostgreSQL, on the manual clock: an
// administrator marks an account; its password sign-in and each refreshed token raise a
// high-severity incident in the sign-in's own transaction (readable at once, the same instant);
// the account justifies the use (declaring a test), which clears it; the test reminder fires when
// the last test is older than the configured period; the compliance report shows it all. Bad input
// gets a Graph error and changes nothing.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SECURITY_ADMINISTRATOR } from '../../src/domain/roles/built-in-role-ids.js';
import { testServer, type TestServer } from '../helpers/server.js';
import { csrfOf } from '../identity/support/browser.js';
import { ExternalIssuer } from '../identity/support/external-issuer.js';
import { addDirectoryUser, corpIssuer, signInThroughCorp } from '../identity/support/federation.js';
import { finishToTokens, firstPage, passkeyOptions, registerPasskey } from '../identity/support/passkeys.js';
import { SoftwareAuthenticator } from '../identity/support/software-authenticator.js';
import { assign } from '../http/support/fixtures.js';
import { AUDIT_TABLES, dbSnapshot } from '../http/support/graph.js';
import { addPasswordUser, refresh, signIn, type Tokens } from '../identity/support/sign-in.js';
import {
  adminAt,
  call,
  DAY,
  expectGraphError,
  pimServer,
  type Headers,
  type ManualClock,
} from '../pim/support.js';

const BASE = '/v1.0/elevate/breakGlassAccounts';
const ALERTS = '/beta/identityGovernance/roleManagementAlerts';

type Json = Record<string, unknown>;

let s: TestServer;
let clock: ManualClock;
let admin: Headers;
const alertId = (name: string) => `DirectoryRole_${s.boot.tenantId}_${name}`;

beforeEach(async () => {
  ({ s, clock } = await pimServer());
  await s.notifications?.stop();
  admin = await adminAt(s, clock);
});
afterEach(async () => s.close());

/** The real sign-in pages at the manual clock's time (the provider stamps tokens from `Date`). */
async function at<T>(work: () => Promise<T>): Promise<T> {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(clock.now());
  try {
    return await work();
  } finally {
    vi.useRealTimers();
  }
}

const bearer = (t: Tokens): Headers => ({ authorization: `Bearer ${t.access_token}` });

async function incidents(name: string): Promise<(Json & { id: string })[]> {
  const res = await call(s, 'GET', `${ALERTS}/alerts/${alertId(name)}/alertIncidents`, admin);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ value: (Json & { id: string })[] }>().value;
}

async function mark(userId: string) {
  const res = await call(s, 'POST', BASE, admin, { userId });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<Json>();
}

async function uses(userId: string, h: Headers = admin) {
  const res = await call(s, 'GET', `${BASE}/${userId}/uses`, h);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ value: (Json & { id: string })[] }>().value;
}

describe('break-glass accounts', () => {
  it('a sign-in and a refreshed token each raise a high-severity incident at once, cleared by the account’s justification', async () => {
    const glass = await addPasswordUser(s);
    const marked = await mark(glass.id);
    expect(marked).toMatchObject({
      id: glass.id,
      userPrincipalName: glass.upn,
      accountEnabled: true,
      createdDateTime: new Date(clock.now()).toISOString(),
      lastUsedDateTime: null,
      lastTestedDateTime: null,
      unjustifiedUseCount: 0,
    });
    expect(await incidents('BreakGlassAccountUsedAlert')).toEqual([]);

    clock.advance(1000);
    const signedInAt = clock.now();
    const tokens = await at(() => signIn(s, glass));
    // No job, no relay run: the incident is there as the sign-in committed, at its instant.
    const [first] = await uses(glass.id);
    expect(first).toMatchObject({
      userId: glass.id,
      method: 'password',
      status: 'unjustified',
      usedDateTime: new Date(signedInAt).toISOString(),
    });
    const raised = await incidents('BreakGlassAccountUsedAlert');
    expect(raised).toEqual([
      expect.objectContaining({
        id: first!.id,
        '@odata.type': '#microsoft.graph.breakGlassAccountUsedAlertIncident',
        assigneeId: glass.id,
        assigneeUserPrincipalName: glass.upn,
        useDateTime: new Date(signedInAt).toISOString(),
        useMethod: 'password',
      }),
    ]);
    const alert = await call(
      s,
      'GET',
      `${ALERTS}/alerts/${alertId('BreakGlassAccountUsedAlert')}?$expand=*`,
      admin,
    );
    expect(alert.json()).toMatchObject({
      isActive: true,
      incidentCount: 1,
      lastScannedDateTime: new Date(signedInAt).toISOString(),
      alertDefinition: { severityLevel: 'high' },
    });

    // A refresh-token grant issues a token without a sign-in: another use.
    clock.advance(60_000);
    const refreshed = await at(() => refresh(s, tokens.refresh_token));
    expect(refreshed.statusCode, refreshed.body).toBe(200);
    const both = await uses(glass.id, bearer(tokens));
    expect(both.map((u) => u.method)).toEqual(['refreshToken', 'password']);
    expect((await incidents('BreakGlassAccountUsedAlert')).map((i) => i.id).sort()).toEqual(
      both.map((u) => u.id).sort(),
    );

    // The audit log names the account and the use.
    const audit = await call(
      s,
      'GET',
      `/v1.0/auditLogs/directoryAudits?$filter=${encodeURIComponent("activityDisplayName eq 'Break-glass account used'")}`,
      admin,
    );
    expect(audit.statusCode, audit.body).toBe(200);
    expect(audit.json<{ value: unknown[] }>().value).toHaveLength(2);

    // The account justifies the sign-in as a test: that incident clears, the other stays.
    const justify = (useId: string, h: Headers, body: unknown) =>
      call(s, 'POST', `${BASE}/${glass.id}/uses/${useId}/justify`, h, body);
    const res = await justify(first!.id, bearer(tokens), { justification: 'Quarterly test', isTest: true });
    expect(res.statusCode, res.body).toBe(204);
    expect((await incidents('BreakGlassAccountUsedAlert')).map((i) => i.id)).toEqual([both[0]!.id]);
    const after = await call(s, 'GET', `${BASE}/${glass.id}`, admin);
    expect(after.json()).toMatchObject({
      lastUsedDateTime: new Date(clock.now()).toISOString(),
      lastTestedDateTime: new Date(signedInAt).toISOString(),
      unjustifiedUseCount: 1,
    });
    expect((await uses(glass.id)).find((u) => u.id === first!.id)).toMatchObject({
      status: 'justified',
      justification: 'Quarterly test',
      isTest: true,
    });
  });

  it('reminds to test: an account whose last test is older than the configured period is an incident', async () => {
    const glass = await addPasswordUser(s);
    await mark(glass.id);
    const refreshAlert = () =>
      call(s, 'POST', `${ALERTS}/alerts/${alertId('BreakGlassAccountTestOverdueAlert')}/refresh`, admin);
    clock.advance(90 * DAY);
    admin = await adminAt(s, clock);
    expect((await refreshAlert()).statusCode).toBe(202);
    expect(await incidents('BreakGlassAccountTestOverdueAlert')).toEqual([]);
    clock.advance(1);
    admin = await adminAt(s, clock);
    expect((await refreshAlert()).statusCode).toBe(202);
    expect(await incidents('BreakGlassAccountTestOverdueAlert')).toEqual([
      expect.objectContaining({ id: glass.id, assigneeId: glass.id, lastTestedDateTime: null }),
    ]);
    // A test (a use justified as one) clears it.
    const tokens = await at(() => signIn(s, glass));
    const [use] = await uses(glass.id);
    const res = await call(s, 'POST', `${BASE}/${glass.id}/uses/${use!.id}/justify`, bearer(tokens), {
      justification: 'test',
      isTest: true,
    });
    expect(res.statusCode, res.body).toBe(204);
    expect(await incidents('BreakGlassAccountTestOverdueAlert')).toEqual([]);
    // The period is an alert configuration setting.
    const patch = await call(
      s,
      'PATCH',
      `${ALERTS}/alertConfigurations/${alertId('BreakGlassAccountTestOverdueAlert')}`,
      admin,
      { duration: 'P400D' },
    );
    expect(patch.statusCode, patch.body).toBe(400);
    const ok = await call(
      s,
      'PATCH',
      `${ALERTS}/alertConfigurations/${alertId('BreakGlassAccountTestOverdueAlert')}`,
      admin,
      { duration: 'P30D' },
    );
    expect(ok.statusCode, ok.body).toBe(204);
  });

  it('the compliance report shows the count, each account’s last use and whether each use was justified', async () => {
    const glass = await addPasswordUser(s);
    await mark(glass.id);
    const tokens = await at(() => signIn(s, glass));
    const report = async () => {
      const res = await call(s, 'GET', '/v1.0/elevate/complianceReport', admin);
      expect(res.statusCode, res.body).toBe(200);
      return res
        .json<{ items: { id: string; status: string; summary: string; evidence: Json }[] }>()
        .items.find((i) => i.id === 'breakGlassAccountsMonitored')!;
    };
    const [use] = await uses(glass.id);
    const open = await report();
    expect(open.status).toBe('fail');
    expect(open.summary).toContain('1 use(s) not justified yet.');
    expect(open.evidence).toMatchObject({
      accountCount: 1,
      accounts: [
        {
          id: glass.id,
          lastUsedDateTime: new Date(clock.now()).toISOString(),
          uses: [{ id: use!.id, method: 'password', justified: false, isTest: false }],
          unjustifiedUseIds: [use!.id],
        },
      ],
      unjustifiedUses: [{ accountId: glass.id, useId: use!.id }],
    });
    await call(s, 'POST', `${BASE}/${glass.id}/uses/${use!.id}/justify`, bearer(tokens), {
      justification: 'incident 42: tenant locked out',
    });
    const justified = await report();
    expect(justified.evidence).toMatchObject({
      accounts: [{ uses: [{ id: use!.id, justified: true }], unjustifiedUseIds: [] }],
      unjustifiedUses: [],
    });
    // Still failing: no audit forwarding in this test, and the report says so rather than passing.
    expect(justified.summary).toBe(
      '1 enabled break-glass account(s). The audit log is not forwarded anywhere.',
    );
  });

  it('unmarking keeps the uses as history and clears the account’s incidents', async () => {
    const glass = await addPasswordUser(s);
    await mark(glass.id);
    await at(() => signIn(s, glass));
    expect(await incidents('BreakGlassAccountUsedAlert')).toHaveLength(1);
    const res = await call(s, 'DELETE', `${BASE}/${glass.id}`, admin);
    expect(res.statusCode, res.body).toBe(204);
    expect(await incidents('BreakGlassAccountUsedAlert')).toEqual([]);
    expectGraphError(await call(s, 'GET', `${BASE}/${glass.id}`, admin), 404, 'Request_ResourceNotFound');
    const rows = await s.db.kysely.selectFrom('break_glass_uses').selectAll().execute();
    expect(rows).toHaveLength(1);
    // A sign-in of a user who is no longer marked records nothing.
    await at(() => signIn(s, glass));
    expect(await s.db.kysely.selectFrom('break_glass_uses').selectAll().execute()).toHaveLength(1);
  });
});

describe('bad input changes nothing', () => {
  it('unknown user, marking twice, malformed bodies, someone else’s use, huge strings', async () => {
    const glass = await addPasswordUser(s);
    await mark(glass.id);
    const tokens = await at(() => signIn(s, glass));
    const [use] = await uses(glass.id);
    const other = await addPasswordUser(s);
    const otherTokens = await at(() => signIn(s, other));
    const before = await dbSnapshot(s, AUDIT_TABLES);

    expectGraphError(
      await call(s, 'POST', BASE, admin, { userId: '00000000-0000-4000-8000-000000000001' }),
      400,
      'Request_BadRequest',
      "The user '00000000-0000-4000-8000-000000000001' does not exist in this tenant.",
    );
    expectGraphError(
      await call(s, 'POST', BASE, admin, { userId: glass.id }),
      400,
      'Request_MultipleObjectsWithSameKeyValue',
      'The user is already a break-glass account.',
    );
    for (const body of [
      {},
      { userId: 'not-a-guid' },
      { userId: glass.id, extra: 1 },
      { userId: 'x'.repeat(100_000) },
    ])
      expectGraphError(await call(s, 'POST', BASE, admin, body), 400);
    const justify = (h: Headers, body: unknown, useId = use!.id, account = glass.id) =>
      call(s, 'POST', `${BASE}/${account}/uses/${useId}/justify`, h, body);
    // Someone else's use: a reader learns only the account may (403); a plain user learns nothing (404).
    expectGraphError(await justify(admin, { justification: 'mine' }), 403, 'Authorization_RequestDenied');
    expectGraphError(
      await justify(bearer(otherTokens), { justification: 'mine' }),
      404,
      'Request_ResourceNotFound',
    );
    // Their own account path, someone else's use id: 404.
    await mark(other.id);
    const marked = await dbSnapshot(s, AUDIT_TABLES);
    expectGraphError(
      await justify(bearer(otherTokens), { justification: 'mine' }, use!.id, other.id),
      404,
      'Request_ResourceNotFound',
    );
    for (const body of [
      { justification: '' },
      { justification: 'x'.repeat(501) },
      { justification: 'x'.repeat(100_000) },
      { justification: 'ok', isTest: 'yes' },
      { justification: 'ok', extra: true },
    ])
      expectGraphError(await justify(bearer(tokens), body), 400);
    expectGraphError(await justify(bearer(tokens), { justification: '   ' }), 400);
    expect(await dbSnapshot(s, AUDIT_TABLES)).toStrictEqual(marked);
    expect(before).not.toStrictEqual(marked); // only the second mark changed anything

    // Justifying twice: the second is refused and changes nothing.
    expect((await justify(bearer(tokens), { justification: 'drill' })).statusCode).toBe(204);
    const justified = await dbSnapshot(s, AUDIT_TABLES);
    expectGraphError(
      await justify(bearer(tokens), { justification: 'again' }),
      400,
      'Request_MultipleObjectsWithSameKeyValue',
    );
    expect(await dbSnapshot(s, AUDIT_TABLES)).toStrictEqual(justified);
  });

  it('only role administrators mark; a Security Administrator reads', async () => {
    const sec = await addPasswordUser(s);
    await assign(s, admin, sec.id, SECURITY_ADMINISTRATOR);
    const glass = await addPasswordUser(s);
    const secTokens = await at(() => signIn(s, sec));
    const before = await dbSnapshot(s, AUDIT_TABLES);
    expectGraphError(
      await call(s, 'POST', BASE, bearer(secTokens), { userId: glass.id }),
      403,
      'Authorization_RequestDenied',
    );
    expect(await dbSnapshot(s, AUDIT_TABLES)).toStrictEqual(before);
    expect((await call(s, 'GET', BASE, bearer(secTokens))).statusCode).toBe(200);
  });
});

describe('every way in is a use', () => {
  it('a passwordless passkey sign-in of a break-glass account raises its incident', async () => {
    const glass = await addPasswordUser(s);
    const authenticator = new SoftwareAuthenticator();
    const first = await at(() => signIn(s, glass));
    const registered = await at(() => registerPasskey(s, first.access_token, authenticator));
    expect(registered.statusCode, registered.body).toBe(201);
    await mark(glass.id);
    const { b, page, verifier, form } = await at(() => firstPage(s));
    const tokens = await at(async () => {
      const options = await passkeyOptions(b, page, csrfOf(form.body));
      const verified = await b.postJson(`${page}/passkey`, {
        csrf: csrfOf(form.body),
        credential: authenticator.get(options),
      });
      return finishToTokens(s, b, verified, verifier);
    });
    expect(tokens.access_token).toBeTruthy();
    const [use] = await uses(glass.id);
    expect(use).toMatchObject({ method: 'passkey', status: 'unjustified' });
    expect((await incidents('BreakGlassAccountUsedAlert')).map((i) => i.id)).toEqual([use!.id]);
  });
});

describe('sign-in through a trusted issuer', () => {
  let ext: ExternalIssuer;
  let fs: TestServer;
  beforeEach(async () => {
    ext = await ExternalIssuer.start();
    fs = await testServer({ trustedIssuers: [corpIssuer(ext)] });
    await fs.sweeper.stop();
  });
  afterEach(async () => {
    await fs.close();
    await ext.close();
  });

  it('a federated sign-in of a break-glass account raises its incident at once', async () => {
    const userId = await addDirectoryUser(fs, 'glass@contoso.test');
    const h = await fs.admin();
    expect((await call(fs, 'POST', BASE, h, { userId })).statusCode).toBe(201);
    ext.accounts.set('glass-sub', { upn: 'glass@contoso.test' });
    ext.nextLogin = { accountId: 'glass-sub', amr: ['pwd', 'mfa'] };
    await signInThroughCorp(fs, ext);
    const listed = await call(fs, 'GET', `${BASE}/${userId}/uses`, h);
    const [use] = listed.json<{ value: Json[] }>().value;
    expect(use).toMatchObject({ method: 'federated', status: 'unjustified' });
    const found = await call(
      fs,
      'GET',
      `${ALERTS}/alerts/DirectoryRole_${fs.boot.tenantId}_BreakGlassAccountUsedAlert/alertIncidents`,
      h,
    );
    expect(found.json<{ value: Json[] }>().value).toEqual([
      expect.objectContaining({ id: use!.id, useMethod: 'federated' }),
    ]);
  });
});
