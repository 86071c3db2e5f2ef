// Sign-in through Elevate's own authorization server as its first-party public client
// `elevate-portal`: authorization code + PKCE (S256), no secret. The access token lives in memory
// only; the refresh token (rotated on every use by the server) in this tab's sessionStorage, so a
// reload keeps the session and closing the tab ends it.

export const CLIENT_ID = 'elevate-portal';
export const CALLBACK_PATH = '/portal/callback';
const SCOPE = 'openid profile offline_access';
const PENDING = 'elevate.signIn';
const REFRESH = 'elevate.refreshToken';
/** Refresh this long before the access token expires. */
const EARLY_MS = 60_000;

interface Tokens {
  accessToken: string;
  expiresAtMs: number;
  idToken?: string;
}

let current: Tokens | undefined;
let refreshing: Promise<Tokens | undefined> | undefined;

const redirectUri = () => `${window.location.origin}${CALLBACK_PATH}`;

const base64url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

const randomText = (): string => base64url(crypto.getRandomValues(new Uint8Array(32)));

async function challengeOf(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** The redirect to the sign-in under way, if any: one per page, however many calls find no token. */
let redirecting: Promise<void> | undefined;
// A page restored from the back-forward cache starts over: its redirect has long gone.
window.addEventListener('pageshow', (e) => {
  if (e.persisted) redirecting = undefined;
});

/**
 * Sends the browser to the sign-in; after it, the callback returns to `returnTo`. Several API calls
 * of one page that find no token share one redirect: a second would abort the first navigation
 * and overwrite its pending state and verifier.
 */
export function signIn(returnTo: string): Promise<void> {
  redirecting ??= redirectToSignIn(returnTo);
  return redirecting;
}

async function redirectToSignIn(returnTo: string): Promise<void> {
  const verifier = randomText();
  const state = randomText();
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, returnTo }));
  const query = new URLSearchParams({
    client_id: CLIENT_ID,
    response_type: 'code',
    redirect_uri: redirectUri(),
    scope: SCOPE,
    state,
    code_challenge: await challengeOf(verifier),
    code_challenge_method: 'S256',
  });
  window.location.assign(`/oauth2/v2.0/authorize?${query.toString()}`);
}

interface TokenResponse {
  access_token: string;
  expires_in: number;
  refresh_token?: string;
  id_token?: string;
}

interface OAuthError {
  error?: string;
  error_description?: string;
}

async function redeem(form: Record<string, string>): Promise<Tokens> {
  const res = await fetch('/oauth2/v2.0/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: CLIENT_ID, ...form }),
  });
  const body = (await res.json()) as TokenResponse & OAuthError;
  if (!res.ok) throw new Error(body.error_description ?? body.error ?? `sign-in failed (${res.status})`);
  if (body.refresh_token) sessionStorage.setItem(REFRESH, body.refresh_token);
  current = {
    accessToken: body.access_token,
    expiresAtMs: Date.now() + body.expires_in * 1000,
    ...(body.id_token ? { idToken: body.id_token } : {}),
  };
  return current;
}

/**
 * Finishes a sign-in on the callback page: checks the state, redeems the code with the verifier.
 * @returns where to go next
 * @throws Error with the server's words when the sign-in was refused or does not match
 */
export async function completeSignIn(search: string): Promise<string> {
  const params = new URLSearchParams(search);
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null') as {
    verifier: string;
    state: string;
    returnTo: string;
  } | null;
  sessionStorage.removeItem(PENDING);
  const error = params.get('error');
  if (error) throw new Error(params.get('error_description') ?? error);
  if (!pending || params.get('state') !== pending.state) {
    throw new Error('This sign-in was not started here, or it was already used. Sign in again.');
  }
  await redeem({
    grant_type: 'authorization_code',
    code: params.get('code') ?? '',
    redirect_uri: redirectUri(),
    code_verifier: pending.verifier,
  });
  return pending.returnTo.startsWith('/') ? pending.returnTo : '/';
}

/** A current access token, refreshed when close to expiry; undefined when signed out. */
export async function accessToken(): Promise<string | undefined> {
  if (current && current.expiresAtMs - EARLY_MS > Date.now()) return current.accessToken;
  const refreshToken = sessionStorage.getItem(REFRESH);
  if (!refreshToken) return undefined;
  refreshing ??= redeem({ grant_type: 'refresh_token', refresh_token: refreshToken })
    .catch(() => {
      sessionStorage.removeItem(REFRESH);
      current = undefined;
      return undefined;
    })
    .finally(() => {
      refreshing = undefined;
    });
  return (await refreshing)?.accessToken;
}

/** Forgets the tokens (the next call signs in again). */
export function forgetTokens(): void {
  current = undefined;
  sessionStorage.removeItem(REFRESH);
}

/** The `state` the end-session page returns with: the callback page then says "signed out". */
export const SIGNED_OUT = 'signed-out';

/**
 * Signs out: forgets the tokens here, then ends the session at Elevate (its page asks to confirm,
 * then returns to the portal's callback, which says so).
 */
export function signOut(): void {
  const idToken = current?.idToken;
  forgetTokens();
  const query = new URLSearchParams({
    client_id: CLIENT_ID,
    post_logout_redirect_uri: redirectUri(),
    state: SIGNED_OUT,
    ...(idToken ? { id_token_hint: idToken } : {}),
  });
  window.location.assign(`/oauth2/v2.0/logout?${query.toString()}`);
}
