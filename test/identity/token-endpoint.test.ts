import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashClientSecret, newClientSecret } from '../../src/domain/shared/secrets.js';
import { ManualClock } from '../../src/domain/time/clock.js';
import { createTokenVerifier } from '../../src/identity/tokens/token-verifier.js';
import { newTestApplication } from './support/in-memory-ports.js';
import type { TestApplication } from './support/in-memory-ports.js';
import { pythonRequestsTokenRequest, rawHttpRequest } from './support/raw-http.js';
import { startServer } from './support/server.js';
import type { RunningServer } from './support/server.js';
import { basicAuthorization, decodeJwt, postTokenForm } from './support/token-requests.js';

/** `invalid_client` with Entra's code for the reason (bodies in full: entra-token-errors.test.ts). */
const invalidClient = (code: number) => ({ error: 'invalid_client', error_codes: [code] });
const WRONG_SECRET = 7000215;

describe('token endpoint (client credentials)', () => {
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

  const tokenUrl = (tenant?: string) =>
    tenant === undefined
      ? `${server.baseUrl}/oauth2/v2.0/token`
      : `${server.baseUrl}/${tenant}/oauth2/v2.0/token`;
  const form = (overrides: Record<string, string> = {}) => ({
    grant_type: 'client_credentials',
    client_id: app.principal.appId,
    client_secret: app.secret,
    scope: `${server.baseUrl}/.default`,
    ...overrides,
  });
  const verifier = () =>
    createTokenVerifier({ issuer: server.baseUrl, audience: server.baseUrl, keys: server.keys, clock });

  it('answers the exact bytes python-requests sends for get_graph_token with a verifiable token', async () => {
    const response = await rawHttpRequest(
      server.port,
      pythonRequestsTokenRequest({
        port: server.port,
        tenantId: app.principal.tenantId,
        clientId: app.principal.appId,
        clientSecret: app.secret,
      }),
    );

    expect(response.statusLine).toBe('HTTP/1.1 200 OK');
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = JSON.parse(response.body) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'ext_expires_in', 'token_type']);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 600, ext_expires_in: 600 });

    const accessToken = body.access_token as string;
    const claims = await verifier().verify(`Bearer ${accessToken}`);
    expect(claims).toMatchObject({
      kind: 'app',
      tenantId: app.principal.tenantId,
      objectId: app.principal.servicePrincipalId,
      appId: app.principal.appId,
      roles: ['RoleManagement.ReadWrite.Directory'],
    });
    const { header, payload } = decodeJwt(accessToken);
    const [activeKey] = await server.keys.list();
    expect(header).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: activeKey?.kid });
    expect(payload).toMatchObject({
      iss: server.baseUrl,
      aud: server.baseUrl,
      sub: app.principal.servicePrincipalId,
      oid: app.principal.servicePrincipalId,
      tid: app.principal.tenantId,
      appid: app.principal.appId,
      azp: app.principal.appId,
      idtyp: 'app',
      roles: ['RoleManagement.ReadWrite.Directory'],
    });
    expect(typeof payload.jti).toBe('string');
    expect(payload.nbf).toBe(payload.iat);
    expect((payload.exp as number) - (payload.iat as number)).toBe(600);
  });

  it('accepts HTTP Basic client authentication on the tenant-less path', async () => {
    const { client_id: _id, client_secret: _secret, ...rest } = form();
    const response = await postTokenForm(tokenUrl(), rest, {
      authorization: basicAuthorization(app.principal.appId, app.secret),
    });
    expect(response.status).toBe(200);
    expect(response.json.token_type).toBe('Bearer');
  });

  it('maps https://graph.microsoft.com/.default and an RFC 8707 resource onto Elevate as audience', async () => {
    const graph = await postTokenForm(
      tokenUrl(app.principal.tenantId),
      form({ scope: 'https://graph.microsoft.com/.default' }),
    );
    expect(graph.status).toBe(200);
    expect(decodeJwt(graph.json.access_token as string).payload.aud).toBe(server.baseUrl);

    const { scope: _scope, ...noScope } = form();
    const resource = await postTokenForm(tokenUrl(), { ...noScope, resource: server.baseUrl });
    expect(resource.status).toBe(200);
    await expect(verifier().verify(`Bearer ${resource.json.access_token as string}`)).resolves.toMatchObject({
      objectId: app.principal.servicePrincipalId,
    });
  });

  it('issues tokens with the configured lifetime', async () => {
    await server.close();
    server = await startServer(clock, { accessTokenTtlSeconds: 300 });
    server.clients.put(app.principal);
    const response = await postTokenForm(tokenUrl(), form());
    expect(response.json).toMatchObject({ expires_in: 300, ext_expires_in: 300 });
  });

  describe('refuses client authentication with 401 invalid_client, saying why as Entra does', () => {
    const cases: [string, () => { url: string; body: Record<string, string> }, number][] = [
      [
        'a wrong secret',
        () => ({ url: tokenUrl(app.principal.tenantId), body: form({ client_secret: 'x'.repeat(40) }) }),
        WRONG_SECRET,
      ],
      [
        'an unknown client',
        () => ({ url: tokenUrl(app.principal.tenantId), body: form({ client_id: crypto.randomUUID() }) }),
        700016,
      ],
    ];
    it.each(cases)('%s', async (_name, request, code) => {
      const { url, body } = request();
      const response = await postTokenForm(url, body);
      expect(response.status).toBe(401);
      expect(response.json).toMatchObject(invalidClient(code));
    });

    it.each([
      ['another tenant', () => crypto.randomUUID()],
      ['a non-GUID tenant', () => 'common'],
    ])('%s in the path is not found: 400 invalid_request, AADSTS90002', async (_name, tenant) => {
      const response = await postTokenForm(tokenUrl(tenant()), form());
      expect(response.status).toBe(400);
      expect(response.json).toMatchObject({ error: 'invalid_request', error_codes: [90002] });
    });

    it('a disabled principal', async () => {
      server.clients.update(app.principal.appId, (p) => (p.accountEnabled = false));
      const response = await postTokenForm(tokenUrl(app.principal.tenantId), form());
      expect(response.status).toBe(401);
      expect(response.json).toMatchObject(invalidClient(7000112));
    });

    it('an expired secret: usable until end - 1 ms, refused at end', async () => {
      const endDateTimeMs = clock.now() + 1;
      server.clients.update(app.principal.appId, (p) => (p.secrets[0]!.endDateTimeMs = endDateTimeMs));
      expect((await postTokenForm(tokenUrl(), form())).status).toBe(200);
      clock.set(endDateTimeMs);
      const response = await postTokenForm(tokenUrl(), form());
      expect(response.status).toBe(401);
      expect(response.json).toMatchObject(invalidClient(7000222));
    });

    it('a wrong secret in HTTP Basic, with a WWW-Authenticate challenge', async () => {
      const { client_id: _id, client_secret: _secret, ...rest } = form();
      const response = await postTokenForm(tokenUrl(), rest, {
        authorization: basicAuthorization(app.principal.appId, 'wrong'),
      });
      expect(response.status).toBe(401);
      expect(response.json).toMatchObject(invalidClient(WRONG_SECRET));
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    });
  });

  it('checks the directory on every request: no verified secret or principal is cached', async () => {
    expect((await postTokenForm(tokenUrl(), form())).status).toBe(200);

    const replacement = newClientSecret().secret;
    server.clients.update(app.principal.appId, (p) => {
      p.secrets = [
        { keyId: crypto.randomUUID(), secretHash: hashClientSecret(replacement), endDateTimeMs: null },
      ];
    });
    expect((await postTokenForm(tokenUrl(), form())).json).toMatchObject(invalidClient(WRONG_SECRET));
    expect((await postTokenForm(tokenUrl(), form({ client_secret: replacement }))).status).toBe(200);

    server.clients.update(app.principal.appId, (p) => (p.accountEnabled = false));
    expect((await postTokenForm(tokenUrl(), form({ client_secret: replacement }))).json).toMatchObject(
      invalidClient(7000112),
    );
    server.clients.update(app.principal.appId, (p) => (p.accountEnabled = true));
    expect((await postTokenForm(tokenUrl(), form({ client_secret: replacement }))).status).toBe(200);
  });

  it('accepts any unexpired secret of several and puts current app permissions into roles', async () => {
    const second = newClientSecret().secret;
    server.clients.update(app.principal.appId, (p) => {
      p.secrets[0]!.endDateTimeMs = clock.now() - 1;
      p.secrets.push({
        keyId: crypto.randomUUID(),
        secretHash: hashClientSecret(second),
        endDateTimeMs: null,
      });
      p.appPermissions = ['RoleManagement.Read.Directory', 'AuditLog.Read.All'];
    });
    expect((await postTokenForm(tokenUrl(), form())).status).toBe(401);
    const response = await postTokenForm(tokenUrl(), form({ client_secret: second }));
    expect(response.status).toBe(200);
    expect(decodeJwt(response.json.access_token as string).payload.roles).toEqual([
      'RoleManagement.Read.Directory',
      'AuditLog.Read.All',
    ]);
  });

  it('refuses an unsupported grant type with unsupported_grant_type', async () => {
    const response = await postTokenForm(tokenUrl(), form({ grant_type: 'password' }));
    expect(response.status).toBe(400);
    expect(response.json.error).toBe('unsupported_grant_type');
  });

  it.each([
    ['an unknown resource', 'https://evil.example/.default', 'invalid_scope'],
    ['a scope that is not <resource>/.default', 'openid', 'invalid_scope'],
    [
      'two .default scopes',
      'https://graph.microsoft.com/.default https://graph.microsoft.com/.default',
      'invalid_scope',
    ],
  ])('refuses %s with %s', async (_name, scope, error) => {
    const response = await postTokenForm(tokenUrl(), form({ scope }));
    expect(response.status).toBe(400);
    expect(response.json.error).toBe(error);
    expect(typeof response.json.error_description).toBe('string');
  });

  it('refuses a missing scope with invalid_request and an unknown resource parameter with invalid_target', async () => {
    const { scope: _scope, ...noScope } = form();
    const missing = await postTokenForm(tokenUrl(), noScope);
    expect(missing.status).toBe(400);
    expect(missing.json.error).toBe('invalid_request');

    const target = await postTokenForm(tokenUrl(), { ...noScope, resource: 'https://evil.example' });
    expect(target.status).toBe(400);
    expect(target.json.error).toBe('invalid_target');
  });

  it('authenticates the client before judging the scope (no probing without credentials)', async () => {
    const response = await postTokenForm(tokenUrl(), form({ client_secret: 'wrong', scope: 'openid' }));
    expect(response.status).toBe(401);
    expect(response.json).toMatchObject(invalidClient(WRONG_SECRET));
  });
});
