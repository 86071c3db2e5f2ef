// People sign in on the embedded authorization server: authorization code + PKCE through
// Elevate's interaction pages, driven over HTTP with a cookie-keeping test browser.
import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/time/clock.js';
import { testServer, type TestServer } from '../helpers/server.js';
import { addPasswordUser, signIn } from './support/sign-in.js';

describe('password sign-in with authorization code + PKCE', () => {
  let s: TestServer;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = new ManualClock(Date.now());
    s = await testServer({ clock });
    await s.sweeper.stop();
  });
  afterEach(async () => s.close());

  it('issues a user token with oid, tid, upn, amr pwd, auth_time and wids', async () => {
    const user = await addPasswordUser(s);
    const tokens = await signIn(s, user);
    const claims = decodeJwt(tokens.access_token);
    expect(claims).toMatchObject({
      oid: user.id,
      sub: user.id,
      tid: s.boot.tenantId,
      upn: user.upn,
      amr: ['pwd'],
      wids: [],
      idtyp: 'user',
    });
    expect(Math.abs(Number(claims.auth_time) - Date.now() / 1000)).toBeLessThan(60);
    const me = await s.app.inject({
      method: 'GET',
      url: `/v1.0/users/${user.id}`,
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(me.statusCode, me.body).not.toBe(401);
  });
});
