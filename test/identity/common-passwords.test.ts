// Common passwords are refused at the forced change and at every password an administrator sets
// (docs/identity.md), whatever case, leet spelling, digits or symbols are added around them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServer, type TestServer } from '../helpers/server.js';
import { call, expectGraphError, type Headers } from '../http/support/graph.js';
import { Browser, csrfOf, locationOf, pkcePair } from './support/browser.js';
import { addPasswordUser, followToCode, PASSWORD, redeem, startSignIn, submit } from './support/sign-in.js';

describe('common passwords are refused', () => {
  let s: TestServer;
  let h: Headers;
  beforeAll(async () => {
    s = await testServer();
    h = await s.admin();
  });
  afterAll(() => s.close());

  const storedUser = (id: string) =>
    s.db.kysely
      .selectFrom('users')
      .select(['password_hash', 'password_must_change'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  it('at the forced change: password1234, Password1234!, P@ssw0rd2026, Summer2026!!!, the user’s name', async () => {
    const user = await addPasswordUser(s, { mustChange: true });
    const before = await storedUser(user.id);
    const b = new Browser(s);
    const { verifier, challenge } = pkcePair();
    const { page, csrf } = await startSignIn(b, challenge);
    const res = await submit(b, page, csrf, 'password', { username: user.upn, password: PASSWORD });
    expect(locationOf(res)).toBe(page);
    const change = await b.get(page);
    const token = csrfOf(change.body);
    for (const weak of ['password1234', 'Password1234!', 'P@ssw0rd2026', 'Summer2026!!!', 'qwertyuiop12']) {
      const refused = await submit(b, page, token, 'change', { newPassword: weak });
      expect(refused.statusCode, weak).toBe(400);
      expect(refused.body).toMatch(/too common|keyboard pattern/);
      expect(refused.body).not.toContain(weak);
    }
    // Built on the display name's "Sign-In" (the UPN's local part is random hex, which leet
    // spellings could read as a common word).
    const named = await submit(b, page, token, 'change', { newPassword: 'Xylo-Sign-In-Vortex' });
    expect(named.statusCode).toBe(400);
    expect(named.body).toContain('This password contains the user&#39;s name; choose another.');
    expect(await storedUser(user.id)).toEqual(before);

    const done = await submit(b, page, token, 'change', { newPassword: 'plum orbit velvet canyon' });
    const code = await followToCode(b, done);
    expect((await redeem(s, code, verifier)).statusCode).toBe(200);
    expect(Number((await storedUser(user.id)).password_must_change)).toBe(0);
  });

  it('when an administrator creates a user with a password, or sets one', async () => {
    const created = await call(s, 'POST', '/v1.0/users', h, {
      accountEnabled: true,
      displayName: 'Grace Hopper',
      userPrincipalName: 'grace@contoso.test',
      passwordProfile: { password: 'Password1234!' },
    });
    expectGraphError(created, 400, 'invalidRequest', /^This password is too common/, {
      target: 'passwordProfile.password',
    });
    expect((await call(s, 'GET', '/v1.0/users/grace@contoso.test', h)).statusCode).toBe(404);

    const ok = await call(s, 'POST', '/v1.0/users', h, {
      accountEnabled: true,
      displayName: 'Grace Hopper',
      userPrincipalName: 'grace@contoso.test',
      passwordProfile: { password: 'plum orbit velvet canyon' },
    });
    expect(ok.statusCode, ok.body).toBe(201);
    const id = ok.json<{ id: string }>().id;
    const before = await storedUser(id);
    for (const password of ['Welcome#2027', 'password1234', 'GraceHopper1906']) {
      const set = await call(s, 'PATCH', `/v1.0/users/${id}`, h, { passwordProfile: { password } });
      expect(set.statusCode, password).toBe(400);
      expect(set.json().error.target).toBe('passwordProfile.password');
    }
    expect(await storedUser(id)).toEqual(before);
    const good = await call(s, 'PATCH', `/v1.0/users/${id}`, h, {
      passwordProfile: { password: 'amber kettle thistle 9' },
    });
    expect(good.statusCode, good.body).toBe(204);
  });
});
