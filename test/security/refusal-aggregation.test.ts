// Repeated identical refusals: recorded once, then summarised with their exact count, and the
// chain still verifies.
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditDraft } from '../../src/domain/audit/entry.js';
import { ManualClock } from '../../src/domain/time/clock.js';
import { formatDateTime } from '../../src/domain/time/datetime.js';
import { testServer, type TestServer } from '../helpers/server.js';
import { ASSIGNMENT_REQUESTS, USER_ADMINISTRATOR } from '../pim/support.js';

describe('repeated refusals in the audit log', () => {
  let s: TestServer;
  let clock: ManualClock;
  let closed = false;

  async function start(auditRefusalWindowMs?: number) {
    // Whole seconds, so the summary's times read simply.
    clock = new ManualClock(Math.floor(Date.now() / 1000) * 1000);
    s = await testServer({ clock, ...(auditRefusalWindowMs === undefined ? {} : { auditRefusalWindowMs }) });
    await s.sweeper.stop();
    closed = false;
  }
  afterEach(async () => {
    if (!closed) await s.close();
  });

  /** A user the caller may not create: an app without permissions is refused (`authorization.denied`). */
  const createUser = (headers: { authorization: string }, nickname = 'loop') =>
    s.app.inject({
      method: 'POST',
      url: '/v1.0/users',
      headers,
      payload: {
        accountEnabled: true,
        displayName: 'Loop',
        mailNickname: nickname,
        userPrincipalName: `${nickname}@contoso.test`,
        passwordProfile: { password: 'a long enough password 1!' },
      },
    });

  /** The failure entries, in chain order, as their hashed payload has them. */
  async function failures() {
    const rows = await s.db.kysely
      .selectFrom('audit_entries')
      .select(['seq', 'payload'])
      .where('result', '=', 'failure')
      .orderBy('seq')
      .execute();
    return rows.map((r) => JSON.parse(r.payload) as AuditDraft);
  }
  const detail = (d: AuditDraft, key: string) => d.additionalDetails.find((x) => x.key === key)?.value;
  const verifies = async () =>
    expect(await s.audit.verifyTenant(s.boot.tenantId)).toMatchObject({ ok: true });

  it('a loop of 50 identical refusals: one entry at once, one summary with the other 49 when the window ends', async () => {
    await start();
    const app = await s.appWith([]);
    const first = clock.now();
    for (let i = 0; i < 50; i += 1) {
      expect((await createUser(app)).statusCode).toBe(403);
      clock.advance(100);
    }
    const [entry, ...rest] = await failures();
    expect(rest).toEqual([]);
    expect(entry).toMatchObject({ code: 'user.create', result: 'failure', activityDateTime: first });
    const reason = entry!.resultReason;

    // Within the window, nothing is due.
    expect(await s.flushRefusals()).toBe(0);
    clock.advance(60_000);
    expect(await s.flushRefusals()).toBe(1);
    const [, summary] = await failures();
    const [t1, t2] = [formatDateTime(first + 100), formatDateTime(first + 4_900)];
    expect(t1).toMatch(/:\d\d\.100Z$/);
    expect(summary).toMatchObject({
      code: 'user.create',
      activityDisplayName: entry!.activityDisplayName,
      initiatedBy: entry!.initiatedBy,
      targetResources: entry!.targetResources,
      activityDateTime: clock.now(),
      resultReason: `Refused 49 more times between ${t1} and ${t2}: ${reason}`,
    });
    expect(detail(summary!, 'RepeatedRefusals')).toBe('49');
    expect(detail(summary!, 'FirstRepeatedAt')).toBe(t1);
    expect(detail(summary!, 'LastRepeatedAt')).toBe(t2);
    await verifies();

    // The next identical refusal opens a new window: written in full.
    expect((await createUser(app)).statusCode).toBe(403);
    expect(await failures()).toHaveLength(3);
    expect(await s.flushRefusals()).toBe(0);
  });

  it('the next different event of the same principal closes the window: its summary comes just before it', async () => {
    await start();
    const app = await s.appWith([]);
    const other = await s.appWith([]);
    for (let i = 0; i < 10; i += 1) expect((await createUser(app)).statusCode).toBe(403);
    // Another principal's refusals are its own window; they do not close this one.
    for (let i = 0; i < 3; i += 1) expect((await createUser(other)).statusCode).toBe(403);
    // A different refusal (another target) by the first principal.
    expect((await createUser(app, 'other')).statusCode).toBe(403);
    const entries = await failures();
    expect(
      entries.map((e) => [e.initiatedBy.app?.servicePrincipalId, detail(e, 'RepeatedRefusals') ?? null]),
    ).toEqual([
      [app.servicePrincipalId, null],
      [other.servicePrincipalId, null],
      [app.servicePrincipalId, '9'],
      [app.servicePrincipalId, null],
    ]);
    expect(entries[3]!.targetResources).not.toEqual(entries[0]!.targetResources);
    expect(await s.flushRefusals(true)).toBe(1); // the other principal's 2
    expect(detail((await failures())[4]!, 'RepeatedRefusals')).toBe('2');
    await verifies();
  });

  it('summarises refused PIM requests, though each has its own request id', async () => {
    await start();
    const app = await s.appWith([]);
    const activate = () =>
      s.app.inject({
        method: 'POST',
        url: ASSIGNMENT_REQUESTS,
        headers: app,
        payload: {
          action: 'selfActivate',
          principalId: app.servicePrincipalId,
          roleDefinitionId: USER_ADMINISTRATOR,
          directoryScopeId: '/',
          justification: 'loop',
          scheduleInfo: { startDateTime: null, expiration: { type: 'afterDuration', duration: 'PT1H' } },
        },
      });
    for (let i = 0; i < 20; i += 1) expect((await activate()).statusCode).toBe(400);
    expect(await failures()).toHaveLength(1);
    expect(await s.flushRefusals(true)).toBe(1);
    const [entry, summary] = await failures();
    expect(detail(summary!, 'RepeatedRefusals')).toBe('19');
    expect(summary!.code).toBe(entry!.code);
    await verifies();
  });

  it('records every refusal when the window is 0 (ELEVATE_AUDIT_REFUSAL_WINDOW_SECONDS=0)', async () => {
    await start(0);
    const app = await s.appWith([]);
    for (let i = 0; i < 5; i += 1) expect((await createUser(app)).statusCode).toBe(403);
    expect(await failures()).toHaveLength(5);
    expect(await s.flushRefusals(true)).toBe(0);
  });

  it('writes every open window out when the server closes', async () => {
    await start();
    const app = await s.appWith([]);
    for (let i = 0; i < 5; i += 1) expect((await createUser(app)).statusCode).toBe(403);
    expect(await failures()).toHaveLength(1);
    await s.app.close();
    closed = true;
    try {
      const entries = await failures();
      expect(entries).toHaveLength(2);
      expect(detail(entries[1]!, 'RepeatedRefusals')).toBe('4');
      await verifies();
    } finally {
      await s.db.drop();
    }
  });
});
