// The CLI signs in with the device authorization grant (RFC 8628): it gets a user code, the person
// enters it in a browser, signs in there, and the CLI's polling then returns tokens.
import { decodeJwt } from 'jose';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/time/clock.js';
import { testServer, type TestServer } from '../helpers/server.js';
import { Browser, CLIENT_ID, csrfOf, locationOf, toPath } from './support/browser.js';
import { addPasswordUser, PASSWORD, submit, type Tokens } from './support/sign-in.js';

let s: TestServer;
beforeEach(async () => {
  s = await testServer({ clock: new ManualClock(Date.now()) });
  await s.sweeper.stop();
});
afterEach(async () => s.close());

const form = (body: Record<string, string>) => ({
  method: 'POST' as const,
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  payload: new URLSearchParams(body).toString(),
});

const xsrfOf = (html: string) => /name="xsrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

it('the CLI device flow completes: code, browser sign-in, confirmation, tokens', async () => {
  const user = await addPasswordUser(s);
  const device = await s.app.inject({
    url: '/oauth2/v2.0/devicecode',
    ...form({ client_id: CLIENT_ID, scope: 'openid offline_access' }),
  });
  expect(device.statusCode, device.body).toBe(200);
  const grant = device.json<{ device_code: string; user_code: string; verification_uri: string }>();
  const poll = () =>
    s.app.inject({
      url: '/oauth2/v2.0/token',
      ...form({
        grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
        client_id: CLIENT_ID,
        device_code: grant.device_code,
      }),
    });
  const pending = await poll();
  expect(pending.json()).toMatchObject({ error: 'authorization_pending' });

  const b = new Browser(s);
  const input = await b.get(toPath(grant.verification_uri));
  expect(input.statusCode, input.body).toBe(200);
  expect(input.body).not.toContain('googleapis');
  const confirm = await b.post(toPath(grant.verification_uri), {
    xsrf: xsrfOf(input.body),
    user_code: grant.user_code,
  });
  expect(confirm.statusCode, confirm.body).toBe(200);
  expect(confirm.body).toContain(grant.user_code);
  const confirmed = await b.post(toPath(grant.verification_uri), {
    xsrf: xsrfOf(confirm.body),
    user_code: grant.user_code,
    confirm: 'yes',
  });
  expect(confirmed.statusCode, confirmed.body).toBe(303);
  const page = locationOf(confirmed);
  expect(page).toMatch(/^\/identity\/interaction\//);
  const signInPage = await b.get(page);
  let res = await submit(b, page, csrfOf(signInPage.body), 'password', {
    username: user.upn,
    password: PASSWORD,
  });
  for (let hops = 0; hops < 5 && [302, 303].includes(res.statusCode); hops += 1) {
    res = await b.get(locationOf(res));
  }
  expect(res.statusCode, res.body).toBe(200);
  expect(res.body).toContain('You are signed in on the command line');

  const done = await poll();
  expect(done.statusCode, done.body).toBe(200);
  const tokens = done.json<Tokens>();
  expect(decodeJwt(tokens.access_token)).toMatchObject({ oid: user.id, amr: ['pwd'], idtyp: 'user' });
  expect((await poll()).statusCode).toBe(400);
});
