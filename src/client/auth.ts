import { readFileSync } from 'node:fs';
import { ClientError, EXIT } from './exit-codes.js';
import { exchange, oneLine, type JsonAnswer } from './transport.js';
import type { AppProfile, Profile, UserProfile } from './profiles.js';

/** Elevate's own public client: the portal and this CLI (PKCE / device flow, no secret). */
export const PUBLIC_CLIENT_ID = 'elevate-portal';
const USER_SCOPE = 'openid profile offline_access';

/**
 * The scope a person's sign-in asks for: Elevate's own (the issuer is the resource), or with a
 * resource (Entra mode) `<resource>/.default` beside the OpenID scopes, as Entra's v2 endpoints
 * take it: the token is for Graph, with every delegated permission the client was consented.
 */
export const userScope = (resource: string | undefined): string =>
  resource === undefined ? USER_SCOPE : `${resource.replace(/\/+$/, '')}/.default ${USER_SCOPE}`;
const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export interface Discovery {
  issuer: string;
  tokenEndpoint: string;
  deviceAuthorizationEndpoint: string | undefined;
}

interface TokenAnswer {
  access_token: string;
  refresh_token?: string;
  expires_in?: number;
}

/**
 * The server's OpenID configuration (the tenant's when one is named), or, with `authority`, that
 * authority's (Entra: `https://login.microsoftonline.com/{tenant}/v2.0`), wherever the Graph API is.
 */
export async function discover(
  server: string,
  tenant: string | undefined,
  authority?: string,
): Promise<Discovery> {
  const path = tenant
    ? `/${encodeURIComponent(tenant)}/v2.0/.well-known/openid-configuration`
    : '/.well-known/openid-configuration';
  const url =
    authority === undefined
      ? `${server}${path}`
      : `${authority.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const answer = await exchange(url, {});
  const doc = answer.json as Record<string, unknown> | undefined;
  if (answer.status !== 200 || typeof doc?.token_endpoint !== 'string' || typeof doc.issuer !== 'string') {
    const reason = tokenErrorText(answer) ?? `HTTP ${answer.status}`;
    const what =
      authority === undefined
        ? `${server} is not an Elevate server or tenant`
        : `${authority} is not an OpenID authority`;
    throw new ClientError(`${what} (${reason})`, EXIT.general);
  }
  return {
    issuer: doc.issuer,
    tokenEndpoint: doc.token_endpoint,
    deviceAuthorizationEndpoint:
      typeof doc.device_authorization_endpoint === 'string' ? doc.device_authorization_endpoint : undefined,
  };
}

/** `error_description`'s first line (its AADSTS code and text), else `error`. */
function tokenErrorText(answer: JsonAnswer): string | undefined {
  const body = answer.json as { error?: string; error_description?: string } | undefined;
  if (body?.error_description) return oneLine(body.error_description);
  return body?.error;
}

function tokenFailure(answer: JsonAnswer, what: string): ClientError {
  return new ClientError(
    `${what}: ${tokenErrorText(answer) ?? `HTTP ${answer.status}`}`,
    EXIT.authentication,
  );
}

function expiresAt(now: number, tokens: TokenAnswer): number {
  return now + (tokens.expires_in ?? 600) * 1000;
}

/** The secret of an app profile: stored, or read again from its file. */
function secretOf(profile: AppProfile): string {
  if (profile.clientSecretFile !== undefined) return readSecretFile(profile.clientSecretFile);
  if (profile.clientSecret !== undefined) return profile.clientSecret;
  throw new ClientError('this profile has no client secret; run `elevate login` again', EXIT.authentication);
}

/** @throws ClientError (usage) when the file cannot be read or is empty. */
export function readSecretFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new ClientError(`cannot read the secret file ${path}${code ? ` (${code})` : ''}`, EXIT.usage);
  }
  const secret = text.trim();
  if (secret.length === 0) throw new ClientError(`the secret file ${path} is empty`, EXIT.usage);
  return secret;
}

/** Client credentials: an application's token for the server's own API. */
export async function appSignIn(
  server: string,
  discovery: Discovery,
  clientId: string,
  secret: { clientSecret?: string; clientSecretFile?: string },
  now: () => number,
  resource?: string,
): Promise<AppProfile> {
  const profile: AppProfile = {
    kind: 'app',
    server,
    issuer: discovery.issuer,
    tokenEndpoint: discovery.tokenEndpoint,
    ...(resource === undefined ? {} : { resource }),
    clientId,
    accessToken: '',
    expiresAt: 0,
    ...secret,
  };
  return renewApp(profile, now);
}

async function renewApp(profile: AppProfile, now: () => number): Promise<AppProfile> {
  const answer = await exchange(profile.tokenEndpoint, {
    form: {
      grant_type: 'client_credentials',
      client_id: profile.clientId,
      client_secret: secretOf(profile),
      scope: `${profile.resource ?? profile.issuer}/.default`,
    },
  });
  if (answer.status !== 200) throw tokenFailure(answer, 'sign-in refused');
  const tokens = answer.json as TokenAnswer;
  return { ...profile, accessToken: tokens.access_token, expiresAt: expiresAt(now(), tokens) };
}

/** What the person must do in a browser, printed while the CLI waits. */
export interface DevicePrompt {
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string | undefined;
  expiresInSeconds: number;
}

/**
 * The device authorization grant (RFC 8628): asks for a user code, shows it, and polls the token
 * endpoint until the person has signed in in a browser, declined, or the code ran out.
 */
export async function deviceSignIn(
  server: string,
  discovery: Discovery,
  o: {
    now: () => number;
    sleep: (ms: number) => Promise<void>;
    prompt: (p: DevicePrompt) => void;
    /** The public client the person signs in through (default: Elevate's own, `elevate-portal`). */
    clientId?: string;
    /** Entra mode: the resource the token is for (`https://graph.microsoft.com`). */
    resource?: string;
  },
): Promise<UserProfile> {
  if (discovery.deviceAuthorizationEndpoint === undefined) {
    throw new ClientError(`${server} does not offer the device sign-in`, EXIT.authentication);
  }
  const clientId = o.clientId ?? PUBLIC_CLIENT_ID;
  const start = await exchange(discovery.deviceAuthorizationEndpoint, {
    form: { client_id: clientId, scope: userScope(o.resource) },
  });
  if (start.status !== 200) throw tokenFailure(start, 'device sign-in refused');
  const grant = start.json as {
    device_code: string;
    user_code: string;
    verification_uri: string;
    verification_uri_complete?: string;
    expires_in: number;
    interval?: number;
  };
  o.prompt({
    userCode: grant.user_code,
    verificationUri: grant.verification_uri,
    verificationUriComplete: grant.verification_uri_complete,
    expiresInSeconds: grant.expires_in,
  });
  let intervalMs = (grant.interval ?? 5) * 1000;
  const deadline = o.now() + grant.expires_in * 1000;
  while (o.now() < deadline) {
    await o.sleep(intervalMs);
    const answer = await exchange(discovery.tokenEndpoint, {
      form: { grant_type: DEVICE_CODE_GRANT, client_id: clientId, device_code: grant.device_code },
    });
    if (answer.status === 200) {
      const tokens = answer.json as TokenAnswer;
      return {
        kind: 'user',
        server,
        issuer: discovery.issuer,
        tokenEndpoint: discovery.tokenEndpoint,
        ...(o.resource === undefined ? {} : { resource: o.resource }),
        clientId,
        accessToken: tokens.access_token,
        ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
        expiresAt: expiresAt(o.now(), tokens),
      };
    }
    const error = (answer.json as { error?: string } | undefined)?.error;
    if (error === 'authorization_pending') continue;
    if (error === 'slow_down') {
      intervalMs += 5000;
      continue;
    }
    if (error === 'access_denied') throw new ClientError('the sign-in was declined', EXIT.authentication);
    throw tokenFailure(answer, 'device sign-in failed');
  }
  throw new ClientError(
    'the code expired before the sign-in completed; run `elevate login` again',
    EXIT.authentication,
  );
}

/**
 * A profile whose access token is good for at least another minute: as is, renewed with the
 * refresh token (a person) or the client secret (an application).
 * @throws ClientError (authentication) when renewal is refused: the sign-in has expired.
 */
export async function freshProfile(profile: Profile, now: () => number): Promise<Profile> {
  if (profile.expiresAt - 60_000 > now()) return profile;
  if (profile.kind === 'app') return renewApp(profile, now);
  if (profile.refreshToken === undefined) {
    throw new ClientError('the sign-in expired; run `elevate login`', EXIT.authentication);
  }
  const refresh = (scope: string | undefined) =>
    exchange(profile.tokenEndpoint, {
      form: {
        grant_type: 'refresh_token',
        client_id: profile.clientId,
        refresh_token: profile.refreshToken as string,
        ...(scope === undefined ? {} : { scope }),
      },
    });
  // Entra's v2 endpoint wants the scope again (Graph's in Entra mode); an authority that did not
  // grant `<resource>/.default` as a scope (Elevate standing in) refuses it as invalid_scope, and
  // then the refresh without a scope renews what was granted. Elevate's own profiles send none.
  let answer = await refresh(profile.resource === undefined ? undefined : userScope(profile.resource));
  if (
    profile.resource !== undefined &&
    (answer.json as { error?: string } | undefined)?.error === 'invalid_scope'
  ) {
    answer = await refresh(undefined);
  }
  if (answer.status !== 200) {
    throw new ClientError(
      `the sign-in expired (${tokenErrorText(answer) ?? `HTTP ${answer.status}`}); run \`elevate login\``,
      EXIT.authentication,
    );
  }
  const tokens = answer.json as TokenAnswer;
  return {
    ...profile,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token ?? profile.refreshToken,
    expiresAt: expiresAt(now(), tokens),
  };
}

/** The claims of a JWT, read without verifying it (the server verifies; this is for display). */
export function claimsOf(token: string): Record<string, unknown> {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
  } catch {
    return {};
  }
}

/**
 * Where a person signed in with the device flow, from the profile: the device authorization
 * endpoint sits beside the token endpoint in both Elevate's and Entra's shape
 * (`…/oauth2/v2.0/token` → `…/oauth2/v2.0/devicecode`), so step-up needs no discovery at the Graph
 * host (graph.microsoft.com has none).
 */
export function discoveryOf(profile: UserProfile): Discovery {
  return {
    issuer: profile.issuer,
    tokenEndpoint: profile.tokenEndpoint,
    deviceAuthorizationEndpoint: profile.tokenEndpoint.replace(/\/token$/, '/devicecode'),
  };
}

/** Revokes a person's refresh token (and its grant) at logout. Best effort: 200 even if unknown. */
export async function revoke(profile: Profile): Promise<void> {
  if (profile.kind !== 'user' || profile.refreshToken === undefined) return;
  const endpoint = profile.tokenEndpoint.replace(/\/token$/, '/revoke');
  await exchange(endpoint, {
    form: { token: profile.refreshToken, client_id: profile.clientId, token_type_hint: 'refresh_token' },
  }).catch(() => undefined);
}
