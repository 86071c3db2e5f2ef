// Refusals on the sign-in flow: PKCE, authorization codes, passwords, throttling, refresh-token
// reuse, and the forced password change.
import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/time/clock.js';
import { testServer, type TestServer } from '../helpers/server.js';
import { authorizeUrl, Browser, csrfOf, locationOf, pkcePair } from './support/browser.js';
import {
  addPasswordUser,
  followToCode,
  PASSWORD,
  redeem,
  refresh,
  signIn,
  startSignIn,
  submit,
  type Tokens,
} from './support/sign-in.js';

const GENERIC = 'The user name or password is incorrect.';

describe('sign-in refusals', () => {
  let s: TestServer;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = new ManualClock(Date.now());
    s = await testServer({ clock });
    await s.sweeper.stop();
  });
  afterEach(async () => s.close());

  const throttleRows = () => s.db.kysely.selectFrom('sign_in_throttle').selectAll().orderBy('key').execute();
  const failureAudits = () =>
    s.db.kysely
      .selectFrom('audit_entries')
      .select(['result', 'initiated_by_upn', 'payload'])
      .where('activity_display_name', '=', 'Sign-in failure')
      .orderBy('seq')
      .execute();

  /** Runs the flow up to a code, returning it with the PKCE verifier. */
  async function codeFor(user: { upn: string }) {
    const b = new Browser(s);
    const { verifier, challenge } = pkcePair();
    const { page, csrf } = await startSignIn(b, challenge);
    const res = await submit(b, page, csrf, 'password', { username: user.upn, password: PASSWORD });
    return { code: await followToCode(b, res), verifier };
  }

  it('refuses an authorization request without a PKCE challenge, and a plain one', async () => {
    const b = new Browser(s);
    for (const url of [
      authorizeUrl(undefined),
      authorizeUrl('x'.repeat(43), { code_challenge_method: 'plain' }),
    ]) {
      const res = await b.get(url);
      expect(res.statusCode).toBe(303);
      const location = new URL(String(res.headers.location));
      expect(location.searchParams.get('error')).toBe('invalid_request');
      expect(location.searchParams.get('code')).toBeNull();
    }
  });

  it('refuses a code redeemed without its verifier or with the wrong one, then a reused code', async () => {
    const user = await addPasswordUser(s);
    const { code, verifier } = await codeFor(user);
    const missing = await redeem(s, code, undefined);
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ error: 'invalid_grant' });

    const second = await codeFor(user);
    const wrong = await redeem(s, second.code, pkcePair().verifier);
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({ error: 'invalid_grant' });

    const third = await codeFor(user);
    const ok = await redeem(s, third.code, third.verifier);
    expect(ok.statusCode, ok.body).toBe(200);
    const tokens = ok.json<Tokens>();
    const reused = await redeem(s, third.code, third.verifier);
    expect(reused.statusCode).toBe(400);
    expect(reused.json()).toMatchObject({ error: 'invalid_grant' });
    // Reusing a code revokes what it issued: the refresh token no longer works.
    expect((await refresh(s, tokens.refresh_token)).statusCode).toBe(400);
    expect(verifier).not.toBe(third.verifier);
  });

  it('answers a wrong password and an unknown user alike, audits both, changes only the counters', async () => {
    const user = await addPasswordUser(s);
    const b = new Browser(s);
    const { challenge } = pkcePair();
    const { page, csrf } = await startSignIn(b, challenge);
    const wrong = await submit(b, page, csrf, 'password', {
      username: user.upn,
      password: 'not the password',
    });
    const unknown = await submit(b, page, csrf, 'password', {
      username: 'nobody@contoso.test',
      password: 'x',
    });
    for (const res of [wrong, unknown]) {
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain(GENERIC);
    }
    const strip = (html: string) => html.replace(/value="[^"]*@contoso.test"/, '');
    expect(strip(wrong.body)).toBe(strip(unknown.body));
    expect((await throttleRows()).map((r) => [r.key, r.failures])).toEqual([
      [`account:${user.upn}`, 1],
      [`account:${user.upn}|ip:127.0.0.1`, 1],
      ['account:nobody@contoso.test', 1],
      ['account:nobody@contoso.test|ip:127.0.0.1', 1],
      ['ip:127.0.0.1', 2],
    ]);
    const audits = await failureAudits();
    expect(audits.map((a) => [a.result, a.initiated_by_upn])).toEqual([
      ['failure', user.upn],
      ['failure', 'nobody@contoso.test'],
    ]);
    expect(audits[0]?.payload).toContain('wrong password');
    expect(audits[1]?.payload).toContain('unknown user');
    // The interaction is still at the password step: nothing else moved on.
    const again = await b.get(page);
    expect(again.body).toContain('name="password"');
  });

  it('backs off exponentially: after 5 free failures the account is locked with 429 and Retry-After', async () => {
    const user = await addPasswordUser(s);
    const b = new Browser(s);
    const { challenge } = pkcePair();
    const { page, csrf } = await startSignIn(b, challenge);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      const res = await submit(b, page, csrf, 'password', { username: user.upn, password: `wrong ${i}` });
      statuses.push(res.statusCode);
    }
    expect(statuses).toEqual([400, 400, 400, 400, 400, 400]);
    const locked = await submit(b, page, csrf, 'password', { username: user.upn, password: PASSWORD });
    expect(locked.statusCode).toBe(429);
    expect(locked.headers['retry-after']).toBe('1');
    clock.advance(1_000);
    const res = await submit(b, page, csrf, 'password', { username: user.upn, password: PASSWORD });
    expect(res.statusCode).toBe(303);
    expect((await throttleRows()).map((r) => r.key)).toEqual(['ip:127.0.0.1']);
  });

  it('refuses a form without the CSRF token', async () => {
    const user = await addPasswordUser(s);
    const b = new Browser(s);
    const { page } = await startSignIn(b, pkcePair().challenge);
    const res = await submit(b, page, 'forged', 'password', { username: user.upn, password: PASSWORD });
    expect(res.statusCode).toBe(403);
    expect(await throttleRows()).toEqual([]);
  });

  it('sets HttpOnly, SameSite cookies', async () => {
    const b = new Browser(s);
    await startSignIn(b, pkcePair().challenge);
    expect(b.setCookies.length).toBeGreaterThan(0);
    for (const cookie of b.setCookies) {
      expect(cookie.toLowerCase()).toContain('httponly');
      expect(cookie.toLowerCase()).toContain('samesite=lax');
    }
  });

  it('rotates refresh tokens; reusing a rotated one revokes the whole family', async () => {
    const user = await addPasswordUser(s);
    const tokens = await signIn(s, user);
    const first = await refresh(s, tokens.refresh_token);
    expect(first.statusCode, first.body).toBe(200);
    const rotated = first.json<Tokens>();
    expect(rotated.refresh_token).not.toBe(tokens.refresh_token);
    expect(decodeJwt(rotated.access_token).amr).toEqual(['pwd']);

    const reuse = await refresh(s, tokens.refresh_token);
    expect(reuse.statusCode).toBe(400);
    expect(reuse.json()).toMatchObject({ error: 'invalid_grant' });
    const afterReuse = await refresh(s, rotated.refresh_token);
    expect(afterReuse.statusCode).toBe(400);
    expect(afterReuse.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('makes a user whose password an administrator set choose a new one before finishing', async () => {
    const user = await addPasswordUser(s, { mustChange: true });
    const b = new Browser(s);
    const { verifier, challenge } = pkcePair();
    const { page, csrf } = await startSignIn(b, challenge);
    const res = await submit(b, page, csrf, 'password', { username: user.upn, password: PASSWORD });
    expect(locationOf(res)).toBe(page);
    const change = await b.get(page);
    expect(change.body).toContain('Choose a new one');
    const weak = await submit(b, page, csrfOf(change.body), 'change', { newPassword: 'short' });
    expect(weak.statusCode).toBe(400);
    const done = await submit(b, page, csrfOf(change.body), 'change', {
      newPassword: 'a much better passphrase',
    });
    const code = await followToCode(b, done);
    expect((await redeem(s, code, verifier)).statusCode).toBe(200);
    const row = await s.db.kysely
      .selectFrom('users')
      .select('password_must_change')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(Number(row.password_must_change)).toBe(0);
    await signIn(s, user, { password: 'a much better passphrase' });
  });
});
