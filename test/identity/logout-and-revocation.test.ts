// Ending a sign-in: RP-initiated logout (a confirmed form, never a bare link) and token revocation
// (RFC 7009). Both leave nothing that can mint new tokens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServer, type TestServer } from '../helpers/server.js';
import { authorizeUrl, Browser, CLIENT_ID, locationOf, pkcePair, REDIRECT_URI } from './support/browser.js';
import {
  addPasswordUser,
  followToCode,
  PASSWORD,
  redeem,
  refresh,
  startSignIn,
  submit,
  type Tokens,
} from './support/sign-in.js';

let s: TestServer;
beforeAll(async () => {
  s = await testServer();
});
afterAll(() => s.close());

/** Signs a fresh user in through `b`, which keeps the session cookie. */
async function signedInBrowser(): Promise<{ b: Browser; tokens: Tokens }> {
  const user = await addPasswordUser(s);
  const b = new Browser(s);
  const { verifier, challenge } = pkcePair();
  const { page, csrf } = await startSignIn(b, challenge);
  const res = await submit(b, page, csrf, 'password', { username: user.upn, password: PASSWORD });
  const code = await followToCode(b, res);
  const tokens = await redeem(s, code, verifier);
  expect(tokens.statusCode, tokens.body).toBe(200);
  return { b, tokens: tokens.json<Tokens>() };
}

const logoutUrl = (tokens: Tokens, state = 'bye-1') =>
  `/oauth2/v2.0/logout?${new URLSearchParams({
    id_token_hint: tokens.id_token,
    post_logout_redirect_uri: REDIRECT_URI,
    state,
  }).toString()}`;

/** The confirmation page's form: its action and CSRF field. */
function logoutForm(html: string): { action: string; xsrf: string } {
  const action = /<form id="op.logoutForm" method="post" action="([^"]+)"/.exec(html)?.[1];
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
  if (action === undefined || xsrf === undefined) throw new Error(`no logout form in: ${html}`);
  return { action, xsrf };
}

const refreshWorks = async (tokens: Tokens) => (await refresh(s, tokens.refresh_token)).statusCode === 200;

describe('RP-initiated logout', () => {
  it('is advertised in discovery with the revocation endpoint', async () => {
    const res = await s.app.inject({ url: '/.well-known/openid-configuration' });
    expect(res.json()).toMatchObject({
      end_session_endpoint: 'http://127.0.0.1:8080/oauth2/v2.0/logout',
      revocation_endpoint: 'http://127.0.0.1:8080/oauth2/v2.0/revoke',
    });
  });

  it('asks to confirm; confirming ends the session and revokes its refresh tokens', async () => {
    const { b, tokens } = await signedInBrowser();
    const ask = await b.get(logoutUrl(tokens));
    expect(ask.statusCode, ask.body).toBe(200);
    expect(ask.body).toContain('Sign out of Elevate?');
    expect(ask.headers['content-security-policy']).toContain("default-src 'none'");
    // Opening the link alone signs nobody out.
    expect(await refreshWorks(tokens)).toBe(true);

    const { action, xsrf } = logoutForm(ask.body);
    const done = await b.post(action, { xsrf, logout: 'yes' });
    expect([302, 303]).toContain(done.statusCode);
    const back = new URL(String(done.headers.location));
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT_URI);
    expect(back.searchParams.get('state')).toBe('bye-1');

    // The refresh token of the sign-in (rotated or not) no longer works…
    const after = await refresh(s, tokens.refresh_token);
    expect(after.statusCode).toBe(400);
    expect(after.json()).toMatchObject({ error: 'invalid_grant' });
    // …and the browser must sign in again: the next authorization request lands on the sign-in page.
    const again = await b.get(authorizeUrl(pkcePair().challenge));
    expect(locationOf(again)).toMatch(/^\/identity\/interaction\//);
    const form = await b.get(locationOf(again));
    expect(form.body).toContain('name="password"');
  });

  it('has one button, and posting the form without it still ends the sign-in for this client', async () => {
    const { b, tokens } = await signedInBrowser();
    const ask = await b.get(logoutUrl(tokens));
    expect(ask.body.match(/<button/g)).toHaveLength(1);
    const { action, xsrf } = logoutForm(ask.body);
    const res = await b.post(action, { xsrf });
    expect([302, 303]).toContain(res.statusCode);
    expect(await refreshWorks(tokens)).toBe(false);
  });

  it('refuses a confirmation without the CSRF value, or from another browser, and keeps the tokens', async () => {
    const { b, tokens } = await signedInBrowser();
    const { action, xsrf } = logoutForm((await b.get(logoutUrl(tokens))).body);
    const forged = await b.post(action, { xsrf: 'not-the-value', logout: 'yes' });
    expect(forged.statusCode).toBe(400);
    const stranger = await new Browser(s).post(action, { xsrf, logout: 'yes' });
    expect(stranger.statusCode).toBe(400);
    expect(await refreshWorks(tokens)).toBe(true);
  });

  it('refuses a post-logout redirect the client did not register', async () => {
    const { b, tokens } = await signedInBrowser();
    const url = logoutUrl(tokens).replace(
      encodeURIComponent(REDIRECT_URI),
      encodeURIComponent('https://evil.example/callback'),
    );
    const res = await b.get(url);
    expect(res.statusCode).toBe(400);
    expect(res.body).not.toContain('evil.example/callback"');
  });
});

describe('token revocation', () => {
  const revoke = (token: string, hint?: string) =>
    s.app.inject({
      method: 'POST',
      url: '/oauth2/v2.0/revoke',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        token,
        client_id: CLIENT_ID,
        ...(hint === undefined ? {} : { token_type_hint: hint }),
      }).toString(),
    });

  it('revokes a refresh token: it can no longer be used', async () => {
    const { tokens } = await signedInBrowser();
    const res = await revoke(tokens.refresh_token, 'refresh_token');
    expect(res.statusCode, res.body).toBe(200);
    const after = await refresh(s, tokens.refresh_token);
    expect(after.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('answers 200 for an unknown token (RFC 7009) and changes nothing else', async () => {
    const { tokens } = await signedInBrowser();
    const res = await revoke('not-a-token-at-all');
    expect(res.statusCode).toBe(200);
    expect(await refreshWorks(tokens)).toBe(true);
  });
});
