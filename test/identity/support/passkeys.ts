import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { TestServer } from '../../helpers/server.js';
import { Browser, csrfOf, locationOf, pkcePair } from './browser.js';
import { followToCode, PASSWORD, redeem, startSignIn, submit, type Tokens } from './sign-in.js';
import type { CeremonyTweaks, SoftwareAuthenticator } from './software-authenticator.js';

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export function api(
  s: TestServer,
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  token: string,
  body?: unknown,
) {
  return s.app.inject({
    method,
    url,
    headers: { ...bearer(token), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
}

/** Registers the authenticator's credential for the token's user through the Graph-style API. */
export async function registerPasskey(
  s: TestServer,
  token: string,
  authenticator: SoftwareAuthenticator,
  opts: { displayName?: string; tweaks?: CeremonyTweaks } = {},
): Promise<LightMyRequestResponse> {
  const options = await api(s, 'POST', '/v1.0/me/authentication/fido2Methods/creationOptions', token);
  expect(options.statusCode, options.body).toBe(200);
  const { publicKey } = options.json<{ publicKey: { challenge: string; user: { id: string } } }>();
  return api(s, 'POST', '/v1.0/me/authentication/fido2Methods', token, {
    displayName: opts.displayName ?? 'YubiKey 5',
    publicKeyCredential: authenticator.create(publicKey, opts.tweaks),
  });
}

/** Asks the interaction for request options (the page script's first call). */
export async function passkeyOptions(b: Browser, page: string, csrf: string) {
  const res = await b.postJson(`${page}/passkey/options`, { csrf });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ challenge: string; allowCredentials?: { id: string }[]; userVerification: string }>();
}

/** Options, assertion, verification: what the page script does on "Use your passkey". */
export async function usePasskey(
  b: Browser,
  page: string,
  authenticator: SoftwareAuthenticator,
  tweaks: CeremonyTweaks = {},
): Promise<LightMyRequestResponse> {
  const form = await b.get(page);
  const csrf = csrfOf(form.body);
  const options = await passkeyOptions(b, page, csrf);
  return b.postJson(`${page}/passkey`, { csrf, credential: authenticator.get(options, tweaks) });
}

/** Finishes after a successful passkey step: loads the location, follows to the code, redeems it. */
export async function finishToTokens(
  s: TestServer,
  b: Browser,
  verified: LightMyRequestResponse,
  verifier: string,
): Promise<Tokens> {
  expect(verified.statusCode, verified.body).toBe(200);
  const next = await b.get(verified.json<{ location: string }>().location);
  const code = await followToCode(b, next);
  const tokens = await redeem(s, code, verifier);
  expect(tokens.statusCode, tokens.body).toBe(200);
  return tokens.json<Tokens>();
}

/** Password, then the second-factor page: returns the browser on that page. */
export async function afterPassword(s: TestServer, user: { upn: string }) {
  const b = new Browser(s);
  const { verifier, challenge } = pkcePair();
  const { page, csrf } = await startSignIn(b, challenge);
  const res = await submit(b, page, csrf, 'password', { username: user.upn, password: PASSWORD });
  expect(res.statusCode, res.body).toBe(303);
  expect(locationOf(res)).toBe(page);
  return { b, page, verifier };
}

/** The first page only (for a passwordless passkey sign-in). */
export async function firstPage(s: TestServer) {
  const b = new Browser(s);
  const { verifier, challenge } = pkcePair();
  const { page, form } = await startSignIn(b, challenge);
  return { b, page, verifier, form };
}
