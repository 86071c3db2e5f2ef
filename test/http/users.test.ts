import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServer, type TestServer } from '../helpers/server.js';
import { call, ctx, expectGraphError, ISO, UNKNOWN_ID, type Headers } from './support/graph.js';
import { createUser } from './support/fixtures.js';

const NOT_FOUND = 'Resource does not exist or one of its queried reference-property objects are not present.';

describe('/v1.0/users and /me', () => {
  let s: TestServer;
  let h: Headers;
  beforeAll(async () => {
    s = await testServer();
    h = await s.admin();
  });
  afterAll(() => s.close());

  it('lists the bootstrap administrator with every property, null-valued ones included', async () => {
    const res = await call(s, 'GET', '/v1.0/users', h);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toStrictEqual({
      '@odata.context': ctx('users'),
      value: [
        {
          id: s.boot.admin.id,
          displayName: 'Elevate Administrator',
          userPrincipalName: 'admin@contoso.test',
          mail: null,
          givenName: null,
          surname: null,
          jobTitle: null,
          accountEnabled: true,
          createdDateTime: expect.stringMatching(ISO),
          businessPhones: [],
        },
      ],
    });
  });

  it('creates a user (201, $entity context), reads it by id and by UPN, and never returns a password', async () => {
    const res = await call(s, 'POST', '/v1.0/users', h, {
      accountEnabled: true,
      displayName: 'Ann Lee',
      userPrincipalName: 'ann.lee@contoso.test',
      mail: 'ann@contoso.test',
      givenName: 'Ann',
      jobTitle: 'Engineer',
      mailNickname: 'ann',
    });
    expect(res.statusCode).toBe(201);
    const ann = res.json();
    expect(ann).toStrictEqual({
      '@odata.context': ctx('users/$entity'),
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      displayName: 'Ann Lee',
      userPrincipalName: 'ann.lee@contoso.test',
      mail: 'ann@contoso.test',
      givenName: 'Ann',
      surname: null,
      jobTitle: 'Engineer',
      accountEnabled: true,
      createdDateTime: expect.stringMatching(ISO),
      businessPhones: [],
    });
    const byId = await call(s, 'GET', `/v1.0/users/${ann.id}`, h);
    expect(byId.statusCode).toBe(200);
    expect(byId.json()).toStrictEqual(ann);
    const byUpperId = await call(s, 'GET', `/v1.0/users/${String(ann.id).toUpperCase()}`, h);
    expect(byUpperId.json()).toStrictEqual(ann);
    const byUpn = await call(s, 'GET', '/v1.0/users/ANN.LEE@contoso.test', h);
    expect(byUpn.statusCode).toBe(200);
    expect(byUpn.json()).toStrictEqual(ann);
  });

  it('accepts a password on create but never echoes it', async () => {
    const password = 'Correct-Horse-Battery-1';
    const res = await call(s, 'POST', '/v1.0/users', h, {
      accountEnabled: false,
      displayName: 'Pat',
      userPrincipalName: 'pat@contoso.test',
      passwordProfile: { password, forceChangePasswordNextSignIn: true },
    });
    expect(res.statusCode).toBe(201);
    expect(res.body).not.toContain(password);
    expect(res.json()).not.toHaveProperty('passwordProfile');
    const list = await call(s, 'GET', '/v1.0/users', h);
    expect(list.body).not.toContain(password);
    expect(list.body).not.toMatch(/argon2|passwordHash|password_hash/);
  });

  it('updates with PATCH (204, empty body); null clears a nullable property', async () => {
    const u = await createUser(s, h, { jobTitle: 'Intern', surname: 'Old' });
    const res = await call(s, 'PATCH', `/v1.0/users/${u.id}`, h, {
      displayName: 'Renamed',
      jobTitle: null,
      accountEnabled: false,
    });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    const after = await call(s, 'GET', `/v1.0/users/${u.id}`, h);
    expect(after.json()).toStrictEqual({
      ...u,
      displayName: 'Renamed',
      jobTitle: null,
      accountEnabled: false,
      surname: 'Old',
    });
  });

  it('refuses a second user with the same UPN, case-insensitively', async () => {
    await createUser(s, h, { userPrincipalName: 'dup@contoso.test' });
    const res = await call(s, 'POST', '/v1.0/users', h, {
      accountEnabled: true,
      displayName: 'Dup',
      userPrincipalName: 'DUP@contoso.test',
    });
    // As in Graph: 400 Request_BadRequest.
    expectGraphError(
      res,
      400,
      'Request_BadRequest',
      'Another object with the same value for property userPrincipalName already exists.',
    );
  });

  it('deletes a user (204), after which it is 404 for GET, PATCH and DELETE', async () => {
    const u = await createUser(s, h);
    const del = await call(s, 'DELETE', `/v1.0/users/${u.id}`, h);
    expect(del.statusCode).toBe(204);
    expect(del.body).toBe('');
    expectGraphError(
      await call(s, 'GET', `/v1.0/users/${u.id}`, h),
      404,
      'Request_ResourceNotFound',
      NOT_FOUND,
    );
    expectGraphError(
      await call(s, 'PATCH', `/v1.0/users/${u.id}`, h, { displayName: 'x' }),
      404,
      'Request_ResourceNotFound',
      NOT_FOUND,
    );
    expectGraphError(await call(s, 'DELETE', `/v1.0/users/${u.id}`, h), 404, 'Request_ResourceNotFound');
  });

  it('answers 404 for an unknown id and an unknown UPN', async () => {
    expectGraphError(await call(s, 'GET', `/v1.0/users/${UNKNOWN_ID}`, h), 404, 'Request_ResourceNotFound');
    expectGraphError(
      await call(s, 'GET', '/v1.0/users/nobody@contoso.test', h),
      404,
      'Request_ResourceNotFound',
    );
  });

  it('answers /me with 400 for an application token, as Graph does', async () => {
    const res = await call(s, 'GET', '/v1.0/me', h);
    expectGraphError(res, 400, 'BadRequest', '/me request is only valid with delegated authentication flow.');
  });

  it('rejects invalid create bodies with 400 invalidRequest naming the property', async () => {
    const res = await call(s, 'POST', '/v1.0/users', h, {
      accountEnabled: true,
      displayName: 'X',
      userPrincipalName: 'no-at-sign',
    });
    expectGraphError(res, 400, 'invalidRequest', /userPrincipalName.*name@domain/, {
      target: 'userPrincipalName',
    });
    const weak = await call(s, 'POST', '/v1.0/users', h, {
      accountEnabled: true,
      displayName: 'X',
      userPrincipalName: 'weak@contoso.test',
      passwordProfile: { password: 'short' },
    });
    expectGraphError(weak, 400, 'invalidRequest', /passwordProfile\.password.*12 characters/, {
      target: 'passwordProfile.password',
    });
  });
});
