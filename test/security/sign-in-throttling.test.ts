// Sign-in throttling over real HTTP: one client failing on one account does not lock out the
// others behind the same address, and X-Forwarded-For counts only from trusted proxies.
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/time/clock.js';
import { testServer, type TestServer } from '../helpers/server.js';
import { Browser, pkcePair } from '../identity/support/browser.js';
import {
  addPasswordUser,
  followToCode,
  PASSWORD,
  redeem,
  startSignIn,
  submit,
} from '../identity/support/sign-in.js';
import { listen, overHttp } from './support/over-http.js';

describe('sign-in throttling behind proxies', () => {
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

  /** A browser over real HTTP from 127.0.0.1, claiming `forwardedFor` when given. */
  const browser = (forwardedFor?: string) =>
    new Browser(overHttp(base, forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor }));

  /** One interaction at its password step, for repeated attempts. */
  async function passwordPage(forwardedFor?: string) {
    const b = browser(forwardedFor);
    const { page, csrf } = await startSignIn(b, pkcePair().challenge);
    return (upn: string, password: string) => submit(b, page, csrf, 'password', { username: upn, password });
  }

  /** A whole sign-in to tokens from the given (claimed) address. */
  async function signsIn(upn: string, forwardedFor?: string): Promise<boolean> {
    const b = browser(forwardedFor);
    const { verifier, challenge } = pkcePair();
    const { page, csrf } = await startSignIn(b, challenge);
    const res = await submit(b, page, csrf, 'password', { username: upn, password: PASSWORD });
    if (res.statusCode !== 303) return false;
    const tokens = await redeem(s, await followToCode(b, res), verifier);
    return tokens.statusCode === 200;
  }

  /** Fails `count` times on `upn`, waiting out every back-off as a patient attacker does. */
  async function failPatiently(
    attempt: (upn: string, password: string) => ReturnType<typeof submit>,
    upn: string,
    count: number,
  ) {
    let refused = 0;
    let waited = 0;
    while (refused < count) {
      const res = await attempt(upn, `wrong ${refused}`);
      if (res.statusCode === 429) {
        const retryAfter = Number(res.headers['retry-after']);
        expect(retryAfter).toBeGreaterThan(0);
        clock.advance(retryAfter * 1000);
        waited += 1;
        continue;
      }
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('The user name or password is incorrect.');
      refused += 1;
    }
    return waited;
  }

  const failureAddresses = async () =>
    (
      await s.db.kysely
        .selectFrom('audit_entries')
        .select('payload')
        .where('activity_display_name', '=', 'Sign-in failure')
        .orderBy('seq')
        .execute()
    ).map(
      (r) =>
        (JSON.parse(r.payload) as { initiatedBy: { user: { ipAddress: string } } }).initiatedBy.user
          .ipAddress,
    );

  it('30 failures for account A from one address: A is throttled there, B signs in from the same address', async () => {
    await start();
    const a = await addPasswordUser(s);
    const b = await addPasswordUser(s);
    // A fresh sign-in page each time: the waits add up to hours, longer than one interaction lives.
    const attempt = async (upn: string, password: string) => (await passwordPage())(upn, password);
    const waited = await failPatiently(attempt, a.upn, 30);
    expect(waited).toBeGreaterThan(0);

    const locked = await attempt(a.upn, PASSWORD);
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    // Same address, right after: another account is not affected.
    expect(await signsIn(b.upn)).toBe(true);
    expect(await signsIn(a.upn)).toBe(false);
  });

  it('ignores X-Forwarded-For from an untrusted peer: rotating it does not escape the back-off', async () => {
    await start();
    const a = await addPasswordUser(s);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i += 1) {
      const attempt = await passwordPage(`203.0.113.${i + 1}`);
      statuses.push((await attempt(a.upn, `wrong ${i}`)).statusCode);
    }
    // Five free, the sixth counted and blocking, the seventh refused: all from 127.0.0.1.
    expect(statuses).toEqual([400, 400, 400, 400, 400, 400, 429]);
    expect(await signsIn(a.upn, '198.51.100.20')).toBe(false);
    expect(new Set(await failureAddresses())).toEqual(new Set(['127.0.0.1']));
  });

  it('honours X-Forwarded-For from a trusted proxy: the client behind it is throttled, not the proxy', async () => {
    await start(['127.0.0.1', '10.0.0.0/8']);
    const a = await addPasswordUser(s);
    const attacker = await passwordPage('203.0.113.10');
    for (let i = 0; i < 6; i += 1) expect((await attacker(a.upn, `wrong ${i}`)).statusCode).toBe(400);
    expect((await attacker(a.upn, PASSWORD)).statusCode).toBe(429);
    // The same account from another client behind the same proxy (its own counters are fresh).
    expect(await signsIn(a.upn, '198.51.100.20')).toBe(true);
    // Through a chain of trusted proxies, the first untrusted address is the client.
    const chained = await passwordPage('192.0.2.33, 10.1.2.3');
    expect((await chained(a.upn, 'wrong again')).statusCode).toBe(400);
    // Each failed sign-in is its own entry (identical ones are not summarised), with the client's address.
    expect(await failureAddresses()).toEqual([...Array<string>(6).fill('203.0.113.10'), '192.0.2.33']);
  });

  it('password spraying from one address: each account gets one free failure, its users still sign in', async () => {
    await start();
    const user = await addPasswordUser(s);
    const spray = await passwordPage();
    for (let i = 0; i < 101; i += 1) {
      expect((await spray(`nobody${i}@contoso.test`, 'Winter2026!')).statusCode).toBe(400);
    }
    // Over the ceiling: a second failure on any one account from this address now blocks it…
    expect((await spray('nobody0@contoso.test', 'Spring2026!')).statusCode).toBe(400);
    expect((await spray('nobody0@contoso.test', 'Summer2026!')).statusCode).toBe(429);
    // …but a user of the same address who mistypes once still signs in.
    const typo = await passwordPage();
    expect((await typo(user.upn, 'correct horse battery stapel')).statusCode).toBe(400);
    expect(await signsIn(user.upn)).toBe(true);
  }, 60_000);
});
