import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_URL, testServer, type TestServer } from '../helpers/server.js';
import { call, ctx, expectGraphError, GUID, ISO, UNKNOWN_ID, type Headers } from './support/graph.js';
import { createServicePrincipal } from './support/fixtures.js';

const DAY_MS = 24 * 3600 * 1000;

describe('/v1.0/servicePrincipals, addPassword and removePassword', () => {
  let s: TestServer;
  let h: Headers;
  beforeAll(async () => {
    s = await testServer();
    h = await s.admin();
  });
  afterAll(() => s.close());

  /** The raw token endpoint answer for a client secret. */
  const tokenRequest = (clientId: string, clientSecret: string) =>
    s.app.inject({
      method: 'POST',
      url: `/${s.boot.tenantId}/oauth2/v2.0/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: clientSecret,
        scope: `${PUBLIC_URL}/.default`,
      }).toString(),
    });

  it('creates a service principal (201) with every property and no credentials', async () => {
    const res = await call(s, 'POST', '/v1.0/servicePrincipals', h, {
      displayName: 'Payroll sync',
      appPermissions: ['User.Read.All'],
    });
    expect(res.statusCode).toBe(201);
    const sp = res.json();
    expect(sp).toStrictEqual({
      '@odata.context': ctx('servicePrincipals/$entity'),
      id: expect.stringMatching(GUID),
      appId: expect.stringMatching(GUID),
      displayName: 'Payroll sync',
      accountEnabled: true,
      servicePrincipalType: 'Application',
      appPermissions: ['User.Read.All'],
      passwordCredentials: [],
      createdDateTime: expect.stringMatching(ISO),
    });
    expect(sp.appId).not.toBe(sp.id);
    expect((await call(s, 'GET', `/v1.0/servicePrincipals/${sp.id}`, h)).json()).toStrictEqual(sp);
    const list = (await call(s, 'GET', '/v1.0/servicePrincipals', h)).json();
    expect(list['@odata.context']).toBe(ctx('servicePrincipals'));
    expect(list.value.map((x: { id: string }) => x.id)).toContain(sp.id);
  });

  it('returns a new secret once; GET shows only its hint; the secret obtains a token', async () => {
    const sp = await createServicePrincipal(s, h, { appPermissions: ['Group.Read.All'] });
    const res = await call(s, 'POST', `/v1.0/servicePrincipals/${sp.id}/addPassword`, h, {
      passwordCredential: { displayName: 'ci' },
    });
    expect(res.statusCode).toBe(200);
    const cred = res.json();
    expect(cred).toStrictEqual({
      '@odata.context': ctx('microsoft.graph.passwordCredential'),
      keyId: expect.stringMatching(GUID),
      displayName: 'ci',
      hint: expect.any(String),
      secretText: expect.stringMatching(/^\S{32,}$/),
      startDateTime: expect.stringMatching(ISO),
      endDateTime: expect.stringMatching(ISO),
      customKeyIdentifier: null,
    });
    expect(cred.secretText.startsWith(cred.hint)).toBe(true);
    expect(Date.parse(cred.endDateTime) - Date.parse(cred.startDateTime)).toBe(180 * DAY_MS);

    const get = await call(s, 'GET', `/v1.0/servicePrincipals/${sp.id}`, h);
    expect(get.body).not.toContain(cred.secretText);
    const { '@odata.context': _c, ...stored } = cred;
    expect(get.json().passwordCredentials).toStrictEqual([{ ...stored, secretText: null }]);
    expect((await call(s, 'GET', '/v1.0/servicePrincipals', h)).body).not.toContain(cred.secretText);

    const token = await s.appToken(sp.appId, cred.secretText);
    const groups = await call(s, 'GET', '/v1.0/groups', { authorization: `Bearer ${token}` });
    expect(groups.statusCode).toBe(200);
    const users = await call(s, 'GET', '/v1.0/users', { authorization: `Bearer ${token}` });
    expectGraphError(users, 403, 'Authorization_RequestDenied');
  });

  it('removePassword (204) revokes the secret at the token endpoint; a second removal is 404', async () => {
    const sp = await createServicePrincipal(s, h);
    const add = await call(s, 'POST', `/v1.0/servicePrincipals/${sp.id}/addPassword`, h, {});
    const { keyId, secretText } = add.json();
    expect((await tokenRequest(sp.appId, secretText)).statusCode).toBe(200);

    const rm = await call(s, 'POST', `/v1.0/servicePrincipals/${sp.id}/removePassword`, h, { keyId });
    expect(rm.statusCode).toBe(204);
    expect(rm.body).toBe('');
    expect((await call(s, 'GET', `/v1.0/servicePrincipals/${sp.id}`, h)).json().passwordCredentials).toEqual(
      [],
    );
    const refused = await tokenRequest(sp.appId, secretText);
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ error: 'invalid_client' });

    expectGraphError(
      await call(s, 'POST', `/v1.0/servicePrincipals/${sp.id}/removePassword`, h, { keyId }),
      404,
      'Request_ResourceNotFound',
    );
  });

  it('validates secret lifetimes', async () => {
    const sp = await createServicePrincipal(s, h);
    const url = `/v1.0/servicePrincipals/${sp.id}/addPassword`;
    const past = await call(s, 'POST', url, h, {
      passwordCredential: { endDateTime: '2001-01-01T00:00:00Z' },
    });
    expectGraphError(past, 400, 'invalidRequest', /endDateTime must be after startDateTime|in the future/, {
      target: 'endDateTime',
    });
    const tooLong = await call(s, 'POST', url, h, {
      passwordCredential: { endDateTime: new Date(Date.now() + 3 * 366 * DAY_MS).toISOString() },
    });
    expectGraphError(tooLong, 400, 'invalidRequest', 'A client secret may be valid for at most two years.', {
      target: 'endDateTime',
    });
    const notADate = await call(s, 'POST', url, h, { passwordCredential: { endDateTime: 'tomorrow' } });
    expectGraphError(
      notADate,
      400,
      'invalidRequest',
      '`passwordCredential.endDateTime` must be an ISO 8601 date-time with a time zone (e.g. 2022-04-10T00:00:00Z or 2022-04-10T02:00:00+02:00); "tomorrow" is not one.',
      {
        target: 'passwordCredential.endDateTime',
      },
    );
    expect((await call(s, 'GET', `/v1.0/servicePrincipals/${sp.id}`, h)).json().passwordCredentials).toEqual(
      [],
    );
  });

  it('updates (204) and deletes (204) a service principal; afterwards 404', async () => {
    const sp = await createServicePrincipal(s, h);
    expect(
      (await call(s, 'PATCH', `/v1.0/servicePrincipals/${sp.id}`, h, { displayName: 'Renamed' })).statusCode,
    ).toBe(204);
    expect((await call(s, 'GET', `/v1.0/servicePrincipals/${sp.id}`, h)).json().displayName).toBe('Renamed');
    expect((await call(s, 'DELETE', `/v1.0/servicePrincipals/${sp.id}`, h)).statusCode).toBe(204);
    expectGraphError(
      await call(s, 'GET', `/v1.0/servicePrincipals/${sp.id}`, h),
      404,
      'Request_ResourceNotFound',
    );
    expectGraphError(
      await call(s, 'POST', `/v1.0/servicePrincipals/${UNKNOWN_ID}/addPassword`, h, {}),
      404,
      'Request_ResourceNotFound',
    );
  });

  it('refuses an appId that is already taken', async () => {
    const sp = await createServicePrincipal(s, h);
    const res = await call(s, 'POST', '/v1.0/servicePrincipals', h, { displayName: 'Twin', appId: sp.appId });
    expectGraphError(res, 400, 'Request_MultipleObjectsWithSameKeyValue');
  });

  it('does not let an application delete itself', async () => {
    const res = await call(s, 'DELETE', `/v1.0/servicePrincipals/${s.boot.app.servicePrincipalId}`, h);
    expectGraphError(res, 400, 'Request_BadRequest', 'An application cannot delete itself.');
  });
});
