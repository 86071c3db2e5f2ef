import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/time/clock.js';
import { entraTimestamp } from '../../src/identity/provider/entra-token-error.js';
import { testServer, type TestServer } from '../helpers/server.js';
import { Browser, CLIENT_ID, pkcePair } from './support/browser.js';
import { addPasswordUser, followToCode, PASSWORD, redeem, startSignIn, submit } from './support/sign-in.js';
import { newTestApplication, type TestApplication } from './support/in-memory-ports.js';
import { startServer, type RunningServer } from './support/server.js';
import { basicAuthorization, postTokenForm, type TokenResponse } from './support/token-requests.js';

/**
 * Token endpoint errors in Entra's shape: MSAL and azure-identity put `error_codes`,
 * `correlation_id` and `trace_id` into their exceptions, and people search for the AADSTS code.
 * Each refusal is told apart as Entra tells it apart; `error` and the status stay RFC 6749's.
 */
const ENTRA_KEYS = ['correlation_id', 'error', 'error_codes', 'error_description', 'timestamp', 'trace_id'];

function expectEntraError(
  response: TokenResponse,
  expected: {
    status: number;
    error: string;
    code: number;
    message: string;
    correlationId?: string;
    nowMs: number;
  },
): void {
  const body = response.json;
  expect(response.status).toBe(expected.status);
  expect(Object.keys(body).sort()).toEqual(ENTRA_KEYS);
  const timestamp = entraTimestamp(expected.nowMs);
  expect(timestamp).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$/);
  const traceId = body.trace_id as string;
  const correlationId = body.correlation_id as string;
  expect(traceId.length).toBeGreaterThan(0);
  if (expected.correlationId !== undefined) expect(correlationId).toBe(expected.correlationId);
  else expect(correlationId).toMatch(/^[0-9a-f-]{36}$/);
  expect(body).toEqual({
    error: expected.error,
    error_description:
      `AADSTS${expected.code}: ${expected.message}` +
      `\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
    error_codes: [expected.code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
  });
}

describe('token endpoint errors in Entra shape (embedded authorization server)', () => {
  let clock: ManualClock;
  let server: RunningServer;
  let app: TestApplication;

  beforeEach(async () => {
    clock = new ManualClock(Date.parse('2026-12-06T09:30:07.123Z'));
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

  it('a tenant that does not exist: 400 invalid_request, AADSTS90002, before the client is looked at', async () => {
    const tenant = crypto.randomUUID();
    const response = await postTokenForm(tokenUrl(tenant), form({ client_secret: 'wrong' }));
    expectEntraError(response, {
      status: 400,
      error: 'invalid_request',
      code: 90002,
      message: `Tenant '${tenant}' not found. Check the tenant id in the URL.`,
      nowMs: clock.now(),
    });
    // A name that is no tenant id of this server is not found either (no domain names yet).
    const named = await postTokenForm(tokenUrl('contoso.onmicrosoft.com'), form());
    expect(named.json).toMatchObject({ error: 'invalid_request', error_codes: [90002] });
    expect(named.json.error_description).toContain("Tenant 'contoso.onmicrosoft.com' not found.");
    // A segment we would not repeat is not repeated.
    const odd = await postTokenForm(tokenUrl('%3Cscript%3E'), form());
    expectEntraError(odd, {
      status: 400,
      error: 'invalid_request',
      code: 900023,
      message: 'Specified tenant identifier is neither a valid directory id nor a valid domain name.',
      nowMs: clock.now(),
    });
  });

  it('a wrong secret: 401 invalid_client, AADSTS7000215, naming the app', async () => {
    const response = await postTokenForm(
      tokenUrl(app.principal.tenantId),
      form({ client_secret: 'x'.repeat(40) }),
    );
    expectEntraError(response, {
      status: 401,
      error: 'invalid_client',
      code: 7000215,
      message: `Invalid client secret provided. Send the secret's value (secretText, shown once when it was added), not its keyId, for a secret of app '${app.principal.appId}'.`,
      nowMs: clock.now(),
    });
  });

  it('a wrong secret in HTTP Basic: the same, with the Basic challenge kept', async () => {
    const { client_id: _id, client_secret: _secret, ...rest } = form();
    const response = await postTokenForm(tokenUrl(), rest, {
      authorization: basicAuthorization(app.principal.appId, 'wrong'),
    });
    expect(response.json).toMatchObject({ error: 'invalid_client', error_codes: [7000215] });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
  });

  it('an unknown application, and one of another tenant: 401 invalid_client, AADSTS700016', async () => {
    const unknown = crypto.randomUUID();
    const response = await postTokenForm(tokenUrl(app.principal.tenantId), form({ client_id: unknown }));
    expectEntraError(response, {
      status: 401,
      error: 'invalid_client',
      code: 700016,
      message: `Application with identifier '${unknown}' was not found in the directory '${app.principal.tenantId}'. Check the client id, and that the request is sent to the application's tenant.`,
      nowMs: clock.now(),
    });
    const other = newTestApplication();
    server.clients.put(other.principal);
    const wrongTenant = await postTokenForm(tokenUrl(other.principal.tenantId), form());
    expect(wrongTenant.status).toBe(401);
    expect(wrongTenant.json.error_codes).toEqual([700016]);
    expect(wrongTenant.json.error_description).toContain(
      `Application with identifier '${app.principal.appId}' was not found in the directory '${other.principal.tenantId}'.`,
    );
    // On the tenant-less path there is no directory to name.
    const tenantless = await postTokenForm(tokenUrl(), form({ client_id: unknown }));
    expect(tenantless.json.error_description).toMatch(
      new RegExp(
        `^AADSTS700016: Application with identifier '${unknown}' was not found in the directory\\. `,
      ),
    );
  });

  it('a disabled application: 401 invalid_client, AADSTS7000112', async () => {
    server.clients.update(app.principal.appId, (p) => (p.accountEnabled = false));
    const response = await postTokenForm(tokenUrl(app.principal.tenantId), form());
    expectEntraError(response, {
      status: 401,
      error: 'invalid_client',
      code: 7000112,
      message: `Application '${app.principal.appId}' is disabled.`,
      nowMs: clock.now(),
    });
  });

  it('a secret that has ended: 401 invalid_client, AADSTS7000222 at end, usable at end - 1 ms', async () => {
    const endDateTimeMs = clock.now() + 1;
    server.clients.update(app.principal.appId, (p) => (p.secrets[0]!.endDateTimeMs = endDateTimeMs));
    expect((await postTokenForm(tokenUrl(), form())).status).toBe(200);
    clock.set(endDateTimeMs);
    expectEntraError(await postTokenForm(tokenUrl(), form()), {
      status: 401,
      error: 'invalid_client',
      code: 7000222,
      message: `The provided client secret keys for app '${app.principal.appId}' are expired. Add a new secret to the application (addPassword) and use it.`,
      nowMs: clock.now(),
    });
    // A wrong secret stays a wrong secret, even when the app's only secret has ended.
    expect((await postTokenForm(tokenUrl(), form({ client_secret: 'nope' }))).json.error_codes).toEqual([
      7000215,
    ]);
  });

  it('no secret at all: 401 invalid_client, AADSTS7000218', async () => {
    const { client_secret: _secret, ...noSecret } = form();
    expectEntraError(await postTokenForm(tokenUrl(app.principal.tenantId), noSecret), {
      status: 401,
      error: 'invalid_client',
      code: 7000218,
      message:
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      nowMs: clock.now(),
    });
  });

  it('missing parameters: 400 invalid_request, AADSTS900144 naming the parameter', async () => {
    const { grant_type: _grant, ...noGrant } = form();
    expectEntraError(await postTokenForm(tokenUrl(), noGrant), {
      status: 400,
      error: 'invalid_request',
      code: 900144,
      message: "The request body must contain the following parameter: 'grant_type'.",
      nowMs: clock.now(),
    });
    const { scope: _scope, ...noScope } = form();
    expect((await postTokenForm(tokenUrl(), noScope)).json).toMatchObject({
      error: 'invalid_request',
      error_codes: [900144],
      error_description: expect.stringMatching(
        /^AADSTS900144: The request body must contain the following parameter: 'scope'\.\r\n/,
      ) as unknown,
    });
    const { client_id: _id, client_secret: _s, ...anonymous } = form();
    expect((await postTokenForm(tokenUrl(), anonymous)).json).toMatchObject({
      error: 'invalid_request',
      error_codes: [900144],
      error_description: expect.stringContaining("parameter: 'client_id'.") as unknown,
    });
  });

  it('an unsupported grant type: 400 unsupported_grant_type, AADSTS70003 naming it', async () => {
    expectEntraError(await postTokenForm(tokenUrl(), form({ grant_type: 'password' })), {
      status: 400,
      error: 'unsupported_grant_type',
      code: 70003,
      message: "The app requested an unsupported grant type 'password'.",
      nowMs: clock.now(),
    });
  });

  it('a grant type the client may not use: 400 unauthorized_client (RFC 6749 §5.2), AADSTS70001', async () => {
    const response = await postTokenForm(
      tokenUrl(),
      form({ grant_type: 'refresh_token', refresh_token: 'x' }),
    );
    expectEntraError(response, {
      status: 400,
      error: 'unauthorized_client',
      code: 70001,
      message: 'The application is not allowed to use this grant type.',
      nowMs: clock.now(),
    });
  });

  it('a bad scope or resource: 400 invalid_scope AADSTS70011 / invalid_target AADSTS500011, with the reason', async () => {
    expectEntraError(await postTokenForm(tokenUrl(), form({ scope: 'https://evil.example/.default' })), {
      status: 400,
      error: 'invalid_scope',
      code: 70011,
      message:
        "The provided value for the input parameter 'scope' is not valid. The provided resource is not recognized.",
      nowMs: clock.now(),
    });
    const { scope: _scope, ...noScope } = form();
    expectEntraError(await postTokenForm(tokenUrl(), { ...noScope, resource: 'https://evil.example' }), {
      status: 400,
      error: 'invalid_target',
      code: 500011,
      message: 'The resource principal was not found. The requested resource is not recognized.',
      nowMs: clock.now(),
    });
  });

  it("echoes the caller's client-request-id as correlation_id (MSAL sends one), else makes one per request", async () => {
    const correlationId = crypto.randomUUID();
    const response = await postTokenForm(tokenUrl(), form({ client_secret: 'wrong' }), {
      'client-request-id': correlationId,
    });
    expectEntraError(response, {
      status: 401,
      error: 'invalid_client',
      code: 7000215,
      message: `Invalid client secret provided. Send the secret's value (secretText, shown once when it was added), not its keyId, for a secret of app '${app.principal.appId}'.`,
      correlationId,
      nowMs: clock.now(),
    });
    const first = await postTokenForm(tokenUrl(), form({ client_secret: 'wrong' }));
    const second = await postTokenForm(tokenUrl(), form({ client_secret: 'wrong' }));
    expect(first.json.correlation_id).not.toBe(second.json.correlation_id);
    expect(first.json.trace_id).not.toBe(second.json.trace_id);
    // Not a token we would repeat: replaced, not echoed.
    const odd = await postTokenForm(tokenUrl(), form({ client_secret: 'wrong' }), {
      'client-request-id': 'a b<c>',
    });
    expect(odd.json.correlation_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('the tenant discovery document of a tenant that does not exist: 400 invalid_tenant, AADSTS90002', async () => {
    const tenant = crypto.randomUUID();
    const response = await fetch(`${server.baseUrl}/${tenant}/v2.0/.well-known/openid-configuration`);
    const json = (await response.json()) as Record<string, unknown>;
    expectEntraError(
      { status: response.status, headers: response.headers, json },
      {
        status: 400,
        error: 'invalid_tenant',
        code: 90002,
        message: `Tenant '${tenant}' not found. Check the tenant id in the URL.`,
        nowMs: clock.now(),
      },
    );
  });
});

describe('token endpoint errors in Entra shape (the whole server, tenants from the database)', () => {
  let s: TestServer;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock(Date.parse('2026-12-06T10:00:00Z'));
    s = await testServer({ clock });
  });
  afterEach(async () => s.close());

  const post = (tenant: string, body: Record<string, string>, headers: Record<string, string> = {}) =>
    s.app.inject({
      method: 'POST',
      url: `/${tenant}/oauth2/v2.0/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload: new URLSearchParams(body).toString(),
    });
  const form = (overrides: Record<string, string> = {}) => ({
    grant_type: 'client_credentials',
    client_id: s.boot.app.clientId,
    client_secret: s.boot.app.clientSecret,
    scope: 'http://127.0.0.1:8080/.default',
    ...overrides,
  });

  it('tells an unknown tenant from a wrong secret, and trace_id is the request-id header', async () => {
    const unknownTenant = await post(crypto.randomUUID(), form());
    expect(unknownTenant.statusCode).toBe(400);
    expect(unknownTenant.json()).toMatchObject({
      error: 'invalid_request',
      error_codes: [90002],
      timestamp: '2026-12-06 10:00:00Z',
    });
    expect(unknownTenant.json<{ trace_id: string }>().trace_id).toBe(unknownTenant.headers['request-id']);

    const correlationId = crypto.randomUUID();
    const wrongSecret = await post(s.boot.tenantId, form({ client_secret: 'wrong' }), {
      'client-request-id': correlationId,
    });
    expect(wrongSecret.statusCode).toBe(401);
    expect(wrongSecret.json()).toMatchObject({
      error: 'invalid_client',
      error_codes: [7000215],
      correlation_id: correlationId,
      trace_id: wrongSecret.headers['request-id'],
    });
    expect(wrongSecret.headers['client-request-id']).toBe(correlationId);

    // The tenant in upper case is the same tenant.
    expect((await post(s.boot.tenantId.toUpperCase(), form())).statusCode).toBe(200);
    // Another tenant in the same database exists, but the application is not in it.
    const other = await s.otherTenant();
    const elsewhere = await post(other.tenantId, form());
    expect(elsewhere.statusCode).toBe(401);
    expect(elsewhere.json()).toMatchObject({ error: 'invalid_client', error_codes: [700016] });
  });

  const tokenForm = (body: Record<string, string>) =>
    s.app.inject({
      method: 'POST',
      url: '/oauth2/v2.0/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(body).toString(),
    });

  it("people's grants: a wrong PKCE verifier (501481), a code used twice (54005), an unknown refresh token (70000)", async () => {
    const user = await addPasswordUser(s);
    const b = new Browser(s);
    const { challenge } = pkcePair();
    const { page, csrf } = await startSignIn(b, challenge);
    const code = await followToCode(
      b,
      await submit(b, page, csrf, 'password', { username: user.upn, password: PASSWORD }),
    );

    const wrongVerifier = await redeem(s, code, pkcePair().verifier);
    expect(wrongVerifier.statusCode).toBe(400);
    expect(wrongVerifier.json()).toMatchObject({ error: 'invalid_grant', error_codes: [501481] });
    expect(wrongVerifier.json<{ error_description: string }>().error_description).toMatch(
      /^AADSTS501481: The code_verifier does not match the code_challenge supplied in the authorization request\.\r\n/,
    );

    // oidc-provider consumes a code on its first redemption, even a failed one; a second sign-in
    // gives a code to redeem properly and then again.
    const again = new Browser(s);
    const pair = pkcePair();
    const second = await startSignIn(again, pair.challenge);
    const code2 = await followToCode(
      again,
      await submit(again, second.page, second.csrf, 'password', { username: user.upn, password: PASSWORD }),
    );
    expect((await redeem(s, code2, pair.verifier)).statusCode).toBe(200);
    const reused = await redeem(s, code2, pair.verifier);
    expect(reused.statusCode).toBe(400);
    expect(reused.json()).toMatchObject({ error: 'invalid_grant', error_codes: [54005] });

    const unknown = await tokenForm({
      grant_type: 'refresh_token',
      client_id: CLIENT_ID,
      refresh_token: 'nope',
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({
      error: 'invalid_grant',
      error_codes: [70000],
      error_description: expect.stringMatching(
        /^AADSTS70000: The provided grant is invalid, expired or revoked\.\r\n/,
      ) as unknown,
    });
  });

  it('the device flow: pending (70016) while the person has not signed in, gone (70000) after its lifetime', async () => {
    const device = await s.app.inject({
      method: 'POST',
      url: '/oauth2/v2.0/devicecode',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ client_id: CLIENT_ID, scope: 'openid offline_access' }).toString(),
    });
    expect(device.statusCode, device.body).toBe(200);
    const { device_code: deviceCode } = device.json<{ device_code: string }>();
    const poll = () =>
      tokenForm({
        grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
        client_id: CLIENT_ID,
        device_code: deviceCode,
      });
    const pending = await poll();
    expect(pending.statusCode).toBe(400);
    expect(pending.json()).toMatchObject({
      error: 'authorization_pending',
      error_codes: [70016],
      error_description: expect.stringMatching(
        /^AADSTS70016: The request has not yet been authorized by the user\. The user must enter their code\. Keep polling\.\r\n/,
      ) as unknown,
    });
    // After its lifetime the stored device code is gone (the store drops expired artefacts), so
    // oidc-provider no longer finds it: invalid_grant rather than RFC 8628's expired_token.
    clock.advance(601_000);
    const expired = await poll();
    expect(expired.statusCode).toBe(400);
    expect(expired.json()).toMatchObject({ error: 'invalid_grant', error_codes: [70000] });

    // The device-code endpoint's own errors have the shape too.
    const noClient = await s.app.inject({
      method: 'POST',
      url: '/oauth2/v2.0/devicecode',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'scope=openid',
    });
    expect(noClient.statusCode).toBe(400);
    expect(noClient.json()).toMatchObject({ error: 'invalid_request', error_codes: [900144] });
  });
});
