import { expect } from 'vitest';
import { trustedIssuer, type TrustedIssuerConfig } from '../../../src/config/trusted-issuers.js';
import { newId } from '../../../src/domain/shared/ids.js';
import { PUBLIC_URL, type TestServer } from '../../helpers/server.js';
import { inTx } from '../../pim/support.js';
import { Browser, locationOf, pkcePair } from './browser.js';
import {
  ELEVATE_AUDIENCE,
  EXTERNAL_CLIENT_ID,
  ExternalBrowser,
  type ExternalIssuer,
} from './external-issuer.js';
import { followToCode, redeem, startSignIn, type Tokens } from './sign-in.js';

/** Elevate's configuration for the test issuer (`corp`), through the real schema (defaults and all). */
export function corpIssuer(ext: ExternalIssuer, extra: Record<string, unknown> = {}): TrustedIssuerConfig {
  return trustedIssuer.parse({
    id: 'corp',
    displayName: 'Corp IdP',
    issuer: ext.issuer,
    audience: ELEVATE_AUDIENCE,
    clientId: EXTERNAL_CLIENT_ID,
    ...(ext.clientSecret === undefined ? {} : { clientSecret: ext.clientSecret }),
    userClaim: 'upn',
    ...extra,
  });
}

/** A directory user (no password) with this user principal name. */
export async function addDirectoryUser(
  s: TestServer,
  upn: string,
  opts: { enabled?: boolean } = {},
): Promise<string> {
  const id = newId();
  await inTx(s, (tx) =>
    tx.users.insert({
      id,
      tenantId: s.boot.tenantId,
      displayName: `User ${upn}`,
      userPrincipalName: upn,
      mail: null,
      givenName: null,
      surname: null,
      jobTitle: null,
      accountEnabled: opts.enabled ?? true,
      passwordHash: null,
      passwordMustChange: false,
      createdAt: 0,
      modifiedAt: 0,
      version: 1,
    }),
  );
  return id;
}

export const CALLBACK = `${PUBLIC_URL}/identity/federation/corp/callback`;

/**
 * Elevate's sign-in page → "Sign in with Corp IdP" → the external issuer (real HTTP; it logs
 * `nextLogin` in) → back at Elevate's callback. Returns the callback URL the issuer redirected to
 * (not yet visited), the browser, and the interaction page.
 */
export async function roundTrip(s: TestServer, ext: ExternalIssuer) {
  const b = new Browser(s);
  const { verifier, challenge } = pkcePair();
  const { page, form } = await startSignIn(b, challenge);
  expect(form.body).toContain('Sign in with Corp IdP');
  const start = await b.get(`${page}/federation/corp`);
  expect(start.statusCode, start.body).toBe(303);
  expect(start.headers['referrer-policy']).toBe('no-referrer');
  expect(String(start.headers['set-cookie'])).toMatch(
    /^elevate_fed_[\w-]+=[\w-]+; Path=\/identity\/federation\/corp; Max-Age=600; HttpOnly; SameSite=Lax$/,
  );
  const authorize = new URL(locationOf(start));
  expect(authorize.origin).toBe(ext.issuer);
  expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
  expect(authorize.searchParams.get('nonce')).toBeTruthy();
  expect(authorize.searchParams.get('redirect_uri')).toBe(CALLBACK);
  const callback = await new ExternalBrowser().followFrom(authorize.href, ext.issuer);
  expect(callback.startsWith(`${CALLBACK}?`), callback).toBe(true);
  return { b, page, verifier, callback };
}

/** The whole portal sign-in through the external issuer; returns Elevate's tokens. */
export async function signInThroughCorp(s: TestServer, ext: ExternalIssuer): Promise<Tokens> {
  const { b, page, verifier, callback } = await roundTrip(s, ext);
  const back = await b.get(callback);
  expect(back.statusCode, back.body).toBe(303);
  expect(locationOf(back)).toBe(page);
  const code = await followToCode(b, await b.get(page));
  const tokens = await redeem(s, code, verifier);
  expect(tokens.statusCode, tokens.body).toBe(200);
  return tokens.json<Tokens>();
}

/** Rows that a refused sign-in must leave alone. */
export async function federationState(s: TestServer) {
  const k = s.db.kysely;
  return {
    users: await k.selectFrom('users').select(['id', 'user_principal_name']).orderBy('id').execute(),
    links: await k.selectFrom('external_identities').selectAll().orderBy('subject').execute(),
    members: await k
      .selectFrom('group_members')
      .selectAll()
      .orderBy('group_id')
      .orderBy('member_id')
      .execute(),
    audit: (await k.selectFrom('audit_entries').select('seq').execute()).length,
  };
}
