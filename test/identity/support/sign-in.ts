import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { hash } from '@node-rs/argon2';
import { newId } from '../../../src/domain/shared/ids.js';
import type { TestServer } from '../../helpers/server.js';
import { inTx } from '../../pim/support.js';
import { authorizeUrl, Browser, CLIENT_ID, csrfOf, locationOf, pkcePair, REDIRECT_URI } from './browser.js';

export const PASSWORD = 'correct horse battery staple';

/** A user of the bootstrap tenant with a password (argon2id), created straight in the store. */
export async function addPasswordUser(
  s: TestServer,
  opts: { mustChange?: boolean; password?: string } = {},
): Promise<{ id: string; upn: string }> {
  const id = newId();
  const upn = `${id.slice(0, 8)}@contoso.test`;
  const passwordHash = await hash(opts.password ?? PASSWORD, { algorithm: 2 });
  await inTx(s, (tx) =>
    tx.users.insert({
      id,
      tenantId: s.boot.tenantId,
      displayName: 'Ada Sign-In',
      userPrincipalName: upn,
      mail: null,
      givenName: null,
      surname: null,
      jobTitle: null,
      accountEnabled: true,
      passwordHash,
      passwordMustChange: opts.mustChange ?? false,
      createdAt: 0,
      modifiedAt: 0,
      version: 1,
    }),
  );
  return { id, upn };
}

/** Starts the authorization request and lands on the sign-in page. */
export async function startSignIn(b: Browser, challenge: string) {
  const start = await b.get(authorizeUrl(challenge));
  expect(start.statusCode, start.body).toBe(303);
  const page = locationOf(start);
  expect(page).toMatch(/^\/identity\/interaction\//);
  const form = await b.get(page);
  expect(form.statusCode, form.body).toBe(200);
  return { page, csrf: csrfOf(form.body), form };
}

/** Submits one step of the sign-in form. */
export function submit(b: Browser, page: string, csrf: string, step: string, fields: Record<string, string>) {
  return b.post(page, { csrf, step, ...fields });
}

/** Follows redirects from a finished interaction to the client's redirect URI; returns the code. */
export async function followToCode(b: Browser, res: LightMyRequestResponse): Promise<string> {
  let current = res;
  for (let hops = 0; hops < 5; hops += 1) {
    expect([302, 303], current.body).toContain(current.statusCode);
    const location = String(current.headers.location);
    if (location.startsWith(REDIRECT_URI)) {
      const url = new URL(location);
      expect(url.searchParams.get('state')).toBe('st-1');
      const code = url.searchParams.get('code');
      if (code === null) throw new Error(`no code: ${location}`);
      return code;
    }
    current = await b.get(locationOf(current));
  }
  throw new Error('too many redirects');
}

export function redeem(s: TestServer, code: string, verifier: string | undefined) {
  return s.app.inject({
    method: 'POST',
    url: '/oauth2/v2.0/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: CLIENT_ID,
      code,
      redirect_uri: REDIRECT_URI,
      ...(verifier === undefined ? {} : { code_verifier: verifier }),
    }).toString(),
  });
}

export function refresh(s: TestServer, refreshToken: string) {
  return s.app.inject({
    method: 'POST',
    url: '/oauth2/v2.0/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: CLIENT_ID,
      refresh_token: refreshToken,
    }).toString(),
  });
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
  id_token: string;
}

/** The whole flow with password (and a TOTP code when given); returns the token response. */
export async function signIn(
  s: TestServer,
  user: { upn: string },
  opts: { password?: string; code?: () => string } = {},
): Promise<Tokens> {
  const b = new Browser(s);
  const { verifier, challenge } = pkcePair();
  const { page, csrf } = await startSignIn(b, challenge);
  let res = await submit(b, page, csrf, 'password', {
    username: user.upn,
    password: opts.password ?? PASSWORD,
  });
  if (opts.code !== undefined) {
    expect(res.statusCode, res.body).toBe(303);
    expect(locationOf(res)).toBe(page);
    const totpPage = await b.get(page);
    expect(totpPage.body).toContain('authenticator app');
    res = await submit(b, page, csrfOf(totpPage.body), 'totp', { code: opts.code() });
  }
  const code = await followToCode(b, res);
  const tokens = await redeem(s, code, verifier);
  expect(tokens.statusCode, tokens.body).toBe(200);
  return tokens.json<Tokens>();
}
