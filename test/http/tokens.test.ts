import { createHmac } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, testServer, type TestServer } from '../helpers/server.js';
import { call, expectGraphError, type Headers } from './support/graph.js';
import { keyedServer } from './support/keyed-server.js';

const M = {
  empty: 'Access token is empty.',
  notBearer: 'Access token validation failure. The Authorization header must use the Bearer scheme.',
  malformed: 'Access token validation failure. The token is malformed.',
  expired: 'Lifetime validation failed, the token is expired.',
  notYetValid: 'Lifetime validation failed, the token is not yet valid.',
  algorithm: 'Access token validation failure. Unsupported signing algorithm.',
  unknownKey: 'Access token validation failure. Signing key not found.',
  signature: 'Access token validation failure. Invalid signature.',
  issuer: 'Access token validation failure. Invalid issuer.',
  audience: 'Access token validation failure. Invalid audience.',
  type: 'Access token validation failure. Invalid token type.',
  gone: 'The principal of this token is disabled or no longer exists.',
};

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * A 401 with the Graph envelope, `WWW-Authenticate: Bearer` (with `error="invalid_token"` when a
 * token was presented, RFC 6750), and no part of the token echoed.
 */
function expectUnauthenticated(res: Awaited<ReturnType<typeof call>>, message: string, token?: string) {
  expectGraphError(res, 401, 'InvalidAuthenticationToken', message);
  expect(res.headers['www-authenticate']).toMatch(/^Bearer( error="invalid_token")?$/);
  for (const part of token?.split('.').filter((p) => p.length > 8) ?? [])
    expect(res.body).not.toContain(part);
}

describe('bearer tokens on the Graph API', () => {
  const clock = new ManualClock(Date.now());
  let k: Awaited<ReturnType<typeof keyedServer>>;
  const get = (authorization?: string) =>
    call(k, 'GET', '/v1.0/users', authorization === undefined ? {} : { authorization });

  beforeAll(async () => {
    k = await keyedServer(clock);
  });
  afterAll(() => k.close());

  it('accepts a token the server signed itself (the control for the tests below)', async () => {
    expect((await get(`Bearer ${await k.sign(k.claims())}`)).statusCode).toBe(200);
  });

  it.each([
    ['no Authorization header', undefined, M.empty],
    ['an empty header', '', M.empty],
    ['Basic credentials', 'Basic dXNlcjpwYXNzd29yZA==', M.notBearer],
    ['a bare "Bearer"', 'Bearer', M.malformed],
    ['garbage', 'Bearer garbage', M.malformed],
    ['three garbage segments', 'Bearer a.b.c', M.malformed],
    ['two tokens', 'Bearer a.b.c d.e.f', M.malformed],
    ['an oversized token', `Bearer ${'a'.repeat(17 * 1024)}`, M.malformed],
  ])('refuses %s with 401', async (_name, header, message) => {
    expectUnauthenticated(await get(header), message);
  });

  it('refuses a token signed with another ES256 key, whatever kid it names', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const forger = { kid: 'forged-key', privateJwk: await exportJWK(privateKey) };
    const sameKid = await k.sign(k.claims(), { kid: k.key.kid }, forger);
    expectUnauthenticated(await get(`Bearer ${sameKid}`), M.signature, sameKid);
    const ownKid = await k.sign(k.claims(), {}, forger);
    expectUnauthenticated(await get(`Bearer ${ownKid}`), M.unknownKey, ownKid);
  });

  it('refuses alg "none" and HS256 keyed with the public key', async () => {
    const none = `${b64({ alg: 'none', typ: 'at+jwt', kid: k.key.kid })}.${b64(k.claims())}.`;
    expectUnauthenticated(await get(`Bearer ${none}`), M.algorithm, none);
    const noneSigned = `${none}c2ln`;
    expectUnauthenticated(await get(`Bearer ${noneSigned}`), M.algorithm, noneSigned);
    const input = `${b64({ alg: 'HS256', typ: 'at+jwt', kid: k.key.kid })}.${b64(k.claims())}`;
    const hs = `${input}.${createHmac('sha256', JSON.stringify(k.key.publicJwk)).update(input).digest('base64url')}`;
    expectUnauthenticated(await get(`Bearer ${hs}`), M.algorithm, hs);
  });

  it.each([
    ['another audience', { aud: 'https://graph.microsoft.com' }, M.audience],
    ['another issuer', { iss: 'https://login.microsoftonline.com/common/v2.0' }, M.issuer],
    ['a validity that starts in 10 minutes', { nbf: Math.floor(Date.now() / 1000) + 600 }, M.notYetValid],
  ])('refuses a validly signed token with %s', async (_name, overrides, message) => {
    const token = await k.sign(k.claims(overrides));
    expectUnauthenticated(await get(`Bearer ${token}`), message, token);
  });

  it('refuses an ID token (typ JWT) replayed as an access token', async () => {
    const token = await k.sign(k.claims(), { typ: 'JWT' });
    expectUnauthenticated(await get(`Bearer ${token}`), M.type, token);
  });

  it('refuses a signed token whose principal is not in the tenant it names', async () => {
    const token = await k.sign(k.claims({ tid: '11111111-2222-4333-8444-555555555555' }));
    expectUnauthenticated(await get(`Bearer ${token}`), M.gone, token);
  });

  it('does not take permissions from anything but the token: roles [] means 403', async () => {
    const token = await k.sign(k.claims({ roles: [] }));
    expectGraphError(await get(`Bearer ${token}`), 403, 'Authorization_RequestDenied');
  });
});

describe('token lifetime and a disabled application', () => {
  const clock = new ManualClock(Date.now());
  let s: TestServer;
  let admin: Headers;
  beforeAll(async () => {
    s = await testServer({ clock });
    admin = await s.admin();
  });
  afterAll(() => s.close());

  it('accepts a token until exp + 60 s of tolerance, and refuses it after', async () => {
    const start = clock.now();
    const token = await s.appToken();
    const headers = { authorization: `Bearer ${token}` };
    const exp = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).exp as number;
    expect(exp * 1000 - start).toBeGreaterThan(590_000);
    try {
      clock.set(exp * 1000 + 55_000);
      expect((await call(s, 'GET', '/v1.0/users', headers)).statusCode).toBe(200);
      clock.set(exp * 1000 + 61_000);
      expectUnauthenticated(await call(s, 'GET', '/v1.0/users', headers), M.expired, token);
    } finally {
      clock.set(start);
    }
  });

  it('refuses a disabled application at once, although its token has not expired', async () => {
    const app = await s.appWith(['User.Read.All']);
    const headers = { authorization: app.authorization };
    expect((await call(s, 'GET', '/v1.0/users', headers)).statusCode).toBe(200);

    const off = await call(s, 'PATCH', `/v1.0/servicePrincipals/${app.servicePrincipalId}`, admin, {
      accountEnabled: false,
    });
    expect(off.statusCode).toBe(204);
    expectUnauthenticated(await call(s, 'GET', '/v1.0/users', headers), M.gone);

    await call(s, 'PATCH', `/v1.0/servicePrincipals/${app.servicePrincipalId}`, admin, {
      accountEnabled: true,
    });
    expect((await call(s, 'GET', '/v1.0/users', headers)).statusCode).toBe(200);
  });

  it('refuses a deleted application at once', async () => {
    const app = await s.appWith(['User.Read.All']);
    expect(
      (await call(s, 'DELETE', `/v1.0/servicePrincipals/${app.servicePrincipalId}`, admin)).statusCode,
    ).toBe(204);
    expectUnauthenticated(await call(s, 'GET', '/v1.0/users', { authorization: app.authorization }), M.gone);
  });

  it('refuses a token for a disabled application at the token endpoint too', async () => {
    const sp = await s.appWith([]);
    await call(s, 'PATCH', `/v1.0/servicePrincipals/${sp.servicePrincipalId}`, admin, {
      accountEnabled: false,
    });
    const pw = await call(
      s,
      'POST',
      `/v1.0/servicePrincipals/${sp.servicePrincipalId}/addPassword`,
      admin,
      {},
    );
    const appId = (await call(s, 'GET', `/v1.0/servicePrincipals/${sp.servicePrincipalId}`, admin)).json()
      .appId;
    await expect(s.appToken(appId, pw.json().secretText)).rejects.toThrow(/401/);
  });
});

describe('WWW-Authenticate on 401 (RFC 6750)', () => {
  it('names invalid_token only when a token was presented', async () => {
    const s = await testServer();
    try {
      const none = await s.app.inject({ method: 'GET', url: '/v1.0/users' });
      expect(none.headers['www-authenticate']).toBe('Bearer');
      const bad = await s.app.inject({
        method: 'GET',
        url: '/v1.0/users',
        headers: { authorization: 'Bearer a.b.c' },
      });
      expect(bad.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    } finally {
      await s.close();
    }
  });
});
