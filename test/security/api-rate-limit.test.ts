// Per-principal API rate limits: Graph's 429 TooManyRequests with Retry-After, per principal,
// nothing changed by a refused call.
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/time/clock.js';
import { newId } from '../../src/domain/shared/ids.js';
import { DEFAULT_API_RATE_LIMITS } from '../../src/http/rate-limit.js';
import { testServer, type TestServer } from '../helpers/server.js';

/** Enough to read role definitions: a read of an unknown one answers 404. */
const READER = ['RoleManagement.Read.Directory'];

describe('per-principal API rate limit', () => {
  let s: TestServer;
  let clock: ManualClock;

  async function start(rateLimits?: TestServerRateLimits) {
    clock = new ManualClock(Date.now());
    s = await testServer({ clock, ...(rateLimits ? { rateLimits } : {}) });
    await s.sweeper.stop();
  }
  type TestServerRateLimits = NonNullable<Parameters<typeof testServer>[0]>['rateLimits'];
  afterEach(async () => s.close());

  const small = { graph: { perSecond: 2, burst: 3 }, authzen: { perSecond: 5, burst: 4 } };
  const read = (headers: { authorization: string }) =>
    s.app.inject({
      method: 'GET',
      url: `/v1.0/roleManagement/directory/roleDefinitions/${newId()}`,
      headers,
    });
  const auditCount = async () =>
    Number(
      (
        await s.db.kysely
          .selectFrom('audit_entries')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it("answers 429 TooManyRequests with Retry-After in Graph's envelope once a principal is over its limit", async () => {
    await start(small);
    const app = await s.appWith(READER);
    clock.advance(2_000); // the administrator's own bucket refills between the set-up calls
    const other = await s.appWith(READER);
    for (let i = 0; i < 3; i += 1) expect((await read(app)).statusCode).toBe(404);
    const over = await s.app.inject({
      method: 'GET',
      url: `/v1.0/roleManagement/directory/roleDefinitions/${newId()}`,
      headers: { ...app, 'client-request-id': 'loop-1' },
    });
    expect(over.statusCode).toBe(429);
    expect(over.headers['retry-after']).toBe('1');
    expect(over.headers['request-id']).toEqual(expect.any(String));
    expect(over.json()).toEqual({
      error: {
        code: 'TooManyRequests',
        message: 'Too many requests: this principal may make 2 per second (bursts of 3). Retry after 1 s.',
        innerError: {
          date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/),
          'request-id': over.headers['request-id'],
          'client-request-id': 'loop-1',
        },
      },
    });
    // Another principal has its own bucket.
    expect((await read(other)).statusCode).toBe(404);
    // Half a second refills one request at 2 per second.
    clock.advance(500);
    expect((await read(app)).statusCode).toBe(404);
    expect((await read(app)).statusCode).toBe(429);
  });

  it('a refused call changes nothing, and is refused before its body is read', async () => {
    await start(small);
    const admin = await s.admin();
    for (let i = 0; i < 3; i += 1) expect((await read(admin)).statusCode).toBe(404);
    const users = async () => (await s.db.kysely.selectFrom('users').select('id').execute()).length;
    const [usersBefore, auditBefore] = [await users(), await auditCount()];
    const create = await s.app.inject({
      method: 'POST',
      url: '/v1.0/users',
      headers: admin,
      payload: {
        accountEnabled: true,
        displayName: 'Loop',
        mailNickname: 'loop',
        userPrincipalName: 'loop@contoso.test',
        passwordProfile: { password: 'a long enough password 1!' },
      },
    });
    expect(create.statusCode).toBe(429);
    const garbage = await s.app.inject({
      method: 'POST',
      url: '/v1.0/users',
      headers: { ...admin, 'content-type': 'application/json' },
      payload: '{not json',
    });
    expect(garbage.statusCode).toBe(429);
    expect(await users()).toBe(usersBefore);
    expect(await auditCount()).toBe(auditBefore);
  });

  it('limits AuthZEN evaluations with their own, separate bucket', async () => {
    await start(small);
    const pep = await s.appWith([...READER, 'Elevate.AccessEvaluation']);
    const evaluate = () =>
      s.app.inject({
        method: 'POST',
        url: '/access/v1/evaluation',
        headers: pep,
        payload: {
          subject: { type: 'servicePrincipal', id: newId() },
          action: { name: 'hold' },
          resource: { type: 'role', id: newId(), properties: { directoryScopeId: '/' } },
        },
      });
    for (let i = 0; i < 3; i += 1) expect((await read(pep)).statusCode).toBe(404);
    expect((await read(pep)).statusCode).toBe(429);
    // The Graph bucket is empty; AuthZEN's (burst 4) is not.
    for (let i = 0; i < 4; i += 1) expect((await evaluate()).statusCode).toBe(200);
    const over = await evaluate();
    expect(over.statusCode).toBe(429);
    expect(over.json<{ error: { code: string } }>().error.code).toBe('TooManyRequests');
  });

  it('by default, lets a burst of 1,000 Graph calls through, then stops a loop', async () => {
    await start();
    expect(DEFAULT_API_RATE_LIMITS.graph).toEqual({ perSecond: 100, burst: 1000 });
    const app = await s.appWith(READER);
    const answered: Record<number, number> = {};
    // The clock stands still, so the order does not matter: 1,001 calls, 50 at a time.
    for (let sent = 0; sent < 1001; sent += 50) {
      const batch = Array.from({ length: Math.min(50, 1001 - sent) }, () => read(app));
      for (const res of await Promise.all(batch)) {
        answered[res.statusCode] = (answered[res.statusCode] ?? 0) + 1;
      }
    }
    expect(answered).toEqual({ 404: 1000, 429: 1 });
    // Real automation's pace (here 50 per second) is never refused.
    for (let i = 0; i < 100; i += 1) {
      clock.advance(20);
      expect((await read(app)).statusCode).toBe(404);
    }
  }, 180_000);

  it('does not count calls without a principal (sign-in, tokens, health)', async () => {
    await start({ graph: { perSecond: 1, burst: 2 }, authzen: null });
    for (let i = 0; i < 5; i += 1) {
      expect((await s.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      expect((await s.app.inject({ method: 'GET', url: '/discovery/v2.0/keys' })).statusCode).toBe(200);
    }
    const app = await s.appWith(READER);
    expect((await read(app)).statusCode).toBe(404);
    expect((await read(app)).statusCode).toBe(404);
    expect((await read(app)).statusCode).toBe(429);
  });
});
