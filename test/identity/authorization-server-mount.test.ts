import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/time/clock.js';
import { createAuthorizationServer } from '../../src/identity/provider/authorization-server.js';
import { rotateSigningKeys } from '../../src/identity/tokens/signing-keys.js';
import { createTokenVerifier } from '../../src/identity/tokens/token-verifier.js';
import { newTestApplication, noActiveRoles } from './support/in-memory-ports.js';
import type { TestApplication } from './support/in-memory-ports.js';
import { rawHttpRequest } from './support/raw-http.js';
import { startServer } from './support/server.js';
import type { RunningServer } from './support/server.js';
import { decodeJwt, postTokenForm } from './support/token-requests.js';

describe('authorization server mounted in Fastify', () => {
  let clock: ManualClock;
  let server: RunningServer;
  let app: TestApplication;

  beforeEach(async () => {
    clock = new ManualClock(Date.now());
    server = await startServer(clock);
    app = newTestApplication();
    server.clients.put(app.principal);
  });

  afterEach(async () => {
    expect(server.serverErrors).toEqual([]);
    await server.close();
  });

  const getJson = async (path: string) => {
    const response = await fetch(`${server.baseUrl}${path}`);
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };
  const issueToken = async () => {
    const response = await postTokenForm(`${server.baseUrl}/${app.principal.tenantId}/oauth2/v2.0/token`, {
      grant_type: 'client_credentials',
      client_id: app.principal.appId,
      client_secret: app.secret,
      scope: `${server.baseUrl}/.default`,
    });
    expect(response.status).toBe(200);
    return response.json.access_token as string;
  };

  it('publishes OIDC discovery with Entra paths, also per tenant', async () => {
    const discovery = await getJson('/.well-known/openid-configuration');
    expect(discovery.status).toBe(200);
    expect(discovery.json).toMatchObject({
      issuer: server.baseUrl,
      token_endpoint: `${server.baseUrl}/oauth2/v2.0/token`,
      jwks_uri: `${server.baseUrl}/discovery/v2.0/keys`,
      // `none` only for Elevate's own public client, which must use PKCE (S256 only).
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      code_challenge_methods_supported: ['S256'],
      id_token_signing_alg_values_supported: ['ES256'],
    });
    expect(discovery.json.grant_types_supported).toContain('client_credentials');
    expect(discovery.json.grant_types_supported).not.toContain('implicit');

    // The tenant's document lists the OAuth endpoints under the tenant, as Entra's does (MSAL and
    // azure-identity take the token URL from it); everything else is the same document.
    const tenant = app.principal.tenantId;
    const perTenant = await getJson(`/${tenant}/v2.0/.well-known/openid-configuration`);
    expect(perTenant.status).toBe(200);
    expect(perTenant.json).toMatchObject({
      issuer: server.baseUrl,
      token_endpoint: `${server.baseUrl}/${tenant}/oauth2/v2.0/token`,
      authorization_endpoint: `${server.baseUrl}/${tenant}/oauth2/v2.0/authorize`,
      jwks_uri: `${server.baseUrl}/discovery/v2.0/keys`,
    });
    const unqualified = Object.fromEntries(
      Object.entries(perTenant.json).map(([k, v]) => [
        k,
        typeof v === 'string' ? v.replace(`/${tenant}/oauth2/`, '/oauth2/') : v,
      ]),
    );
    expect(unqualified).toEqual(discovery.json);
    // The token endpoint it names works.
    const token = await postTokenForm(perTenant.json.token_endpoint as string, {
      grant_type: 'client_credentials',
      client_id: app.principal.appId,
      client_secret: app.secret,
      scope: `${server.baseUrl}/.default`,
    });
    expect(token.status).toBe(200);
    // A tenant segment that is not an id or a domain is never reflected into the document.
    expect((await getJson('/%3Cscript%3E/v2.0/.well-known/openid-configuration')).status).toBe(400);
    expect((await getJson('/.well-known/oauth-authorization-server')).json.issuer).toBe(server.baseUrl);
  });

  it('builds discovery URLs from the issuer, not from a spoofed Host header', async () => {
    const response = await rawHttpRequest(
      server.port,
      'GET /.well-known/openid-configuration HTTP/1.1\r\nHost: evil.example\r\nX-Forwarded-Host: evil.example\r\n' +
        'X-Forwarded-Proto: https\r\nConnection: close\r\n\r\n',
    );
    expect(response.status).toBe(200);
    expect(response.body).not.toContain('evil.example');
    expect((JSON.parse(response.body) as Record<string, unknown>).token_endpoint).toBe(
      `${server.baseUrl}/oauth2/v2.0/token`,
    );
  });

  it('publishes only public signing keys at the JWKS path, also per tenant', async () => {
    await issueToken();
    const jwks = await getJson('/discovery/v2.0/keys');
    const [stored] = await server.keys.list();
    expect(jwks.json).toEqual({ keys: [{ ...stored?.publicJwk }] });
    expect(JSON.stringify(jwks.json)).not.toContain('"d"');
    expect(await getJson(`/${app.principal.tenantId}/discovery/v2.0/keys`)).toEqual(jwks);
  });

  it('leaves unrelated Fastify routes and their JSON body parsing alone', async () => {
    expect(await getJson('/v1.0/ping')).toEqual({ status: 200, json: { pong: true } });
    const echo = await fetch(`${server.baseUrl}/v1.0/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ justification: 'on call' }),
    });
    expect(await echo.json()).toEqual({ received: { justification: 'on call' } });
    expect((await fetch(`${server.baseUrl}/v1.0/nothing-here`)).status).toBe(404);
  });

  it('creates the first signing key on first use', async () => {
    expect(await server.keys.list()).toEqual([]);
    const { header } = decodeJwt(await issueToken());
    const keys = await server.keys.list();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ status: 'active', kid: header.kid });
  });

  it('signs with the rotated key after reload, keeps the retired key published, and both tokens verify', async () => {
    const verifier = createTokenVerifier({
      issuer: server.baseUrl,
      audience: server.baseUrl,
      keys: server.keys,
      clock,
    });
    const before = await issueToken();
    await verifier.verify(`Bearer ${before}`);

    const rotated = await rotateSigningKeys(server.keys, clock);
    await server.authorizationServer.reloadSigningKeys();
    const after = await issueToken();

    expect(decodeJwt(after).header.kid).toBe(rotated.kid);
    expect(decodeJwt(before).header.kid).not.toBe(rotated.kid);
    const kids = ((await getJson('/discovery/v2.0/keys')).json.keys as { kid: string }[]).map((k) => k.kid);
    expect(kids).toEqual([rotated.kid, decodeJwt(before).header.kid]);
    await expect(verifier.verify(`Bearer ${after}`)).resolves.toMatchObject({ kind: 'app' });
    await expect(verifier.verify(`Bearer ${before}`)).resolves.toMatchObject({ kind: 'app' });
  });

  it('picks up a rotation made elsewhere once the key refresh interval has passed', async () => {
    const first = decodeJwt(await issueToken()).header.kid;
    const rotated = await rotateSigningKeys(server.keys, clock);
    clock.advance(59_000);
    expect(decodeJwt(await issueToken()).header.kid).toBe(first);
    clock.advance(1_000);
    expect(decodeJwt(await issueToken()).header.kid).toBe(rotated.kid);
  });

  it('keeps issuing with the loaded keys when the key store becomes unreachable, and reports it', async () => {
    const kid = decodeJwt(await issueToken()).header.kid;
    server.keys.unavailable = true;
    clock.advance(60_000);
    expect(decodeJwt(await issueToken()).header.kid).toBe(kid);
    expect(server.serverErrors).toEqual([new Error('key store unavailable')]);
    server.serverErrors.length = 0;
  });

  it('lets the portal origin call the token endpoint from a browser, and no other origin', async () => {
    const form = {
      grant_type: 'client_credentials',
      client_id: app.principal.appId,
      client_secret: app.secret,
      scope: `${server.baseUrl}/.default`,
    };
    const url = `${server.baseUrl}/oauth2/v2.0/token`;
    const sameOrigin = await postTokenForm(url, form, { origin: server.baseUrl });
    expect(sameOrigin.status).toBe(200);
    expect(sameOrigin.headers.get('access-control-allow-origin')).toBe(server.baseUrl);
    const foreign = await postTokenForm(url, form, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(400);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it.each(['http://127.0.0.1:8080/', 'https://elevate.example/login', 'https://elevate.example?x=1'])(
    'refuses an issuer that is not a bare origin: %s',
    (issuer) => {
      expect(() =>
        createAuthorizationServer({
          issuer,
          clients: server.clients,
          tenants: server.clients,
          activeRoles: noActiveRoles,
          keys: server.keys,
          clock,
        }),
      ).toThrow(/issuer must be an origin/);
    },
  );
});
