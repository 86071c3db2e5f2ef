// SCIM 2.0 users over HTTP, with the requests Entra ID and Okta send (Microsoft's "Develop and plan
// provisioning for a SCIM endpoint" tutorial and Okta's SCIM 2.0 protocol reference).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server.js';
import { call } from '../http/support/graph.js';
import {
  entraUser,
  expectScimError,
  oktaUser,
  PATCH_OP,
  scimClient,
  scimServer,
  USER_SCHEMA,
  type Json,
  type ScimClient,
} from './support.js';

let s: TestServer;
let scim: ScimClient;

beforeAll(async () => {
  ({ s, scim } = await scimServer());
});
afterAll(() => s.close());

const q = (filter: string) => `?filter=${encodeURIComponent(filter)}`;

describe('Entra ID provisioning a user', () => {
  it('looks up by userName, creates, finds, patches with capitalised ops and string booleans, deletes', async () => {
    // Entra looks the user up before creating it.
    const lookup = await scim.call('GET', `/Users${q('userName eq "Test_User_dfeef4c5-5681@contoso.test"')}`);
    expect(lookup.statusCode, lookup.body).toBe(200);
    expect(lookup.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(lookup.json()).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 0,
      startIndex: 1,
      itemsPerPage: 0,
      Resources: [],
    });

    const created = await scim.call(
      'POST',
      '/Users',
      entraUser('Test_User_dfeef4c5-5681@contoso.test', '0a21f0f2-8d2a'),
    );
    expect(created.statusCode, created.body).toBe(201);
    const user = created.json<Json>();
    const id = user['id'] as string;
    expect(created.headers['location']).toBe(`http://127.0.0.1:8080/scim/v2/Users/${id}`);
    expect(user).toMatchObject({
      schemas: [USER_SCHEMA],
      externalId: '0a21f0f2-8d2a',
      userName: 'Test_User_dfeef4c5-5681@contoso.test',
      name: { givenName: 'givenName', familyName: 'familyName' },
      displayName: 'givenName familyName',
      emails: [{ value: 'Test_User_dfeef4c5-5681@contoso.test', type: 'work', primary: true }],
      active: true,
      meta: { resourceType: 'User', location: `http://127.0.0.1:8080/scim/v2/Users/${id}` },
    });

    // The same user in the Graph directory, without a local password.
    const graph = await call(s, 'GET', `/v1.0/users/${id}`, await s.admin());
    expect(graph.json()).toMatchObject({
      userPrincipalName: 'Test_User_dfeef4c5-5681@contoso.test',
      givenName: 'givenName',
      surname: 'familyName',
      mail: 'Test_User_dfeef4c5-5681@contoso.test',
      accountEnabled: true,
    });
    const row = await s.db.kysely
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.password_hash).toBeNull();

    // Found again case-insensitively, and by externalId.
    const again = await scim.call('GET', `/Users${q('userName eq "test_user_DFEEF4C5-5681@contoso.test"')}`);
    expect(again.json<Json>()['totalResults']).toBe(1);
    const byExternal = await scim.call('GET', `/Users${q('externalId eq "0a21f0f2-8d2a"')}`);
    expect((byExternal.json<Json>()['Resources'] as Json[])[0]!['id']).toBe(id);

    // Entra's attribute update.
    const patched = await scim.call('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@contoso.test' },
        { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
      ],
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({
      emails: [{ value: 'updatedEmail@contoso.test' }],
      name: { familyName: 'updatedFamilyName', givenName: 'givenName' },
    });

    // Entra's disable: capitalised op, a string boolean.
    const disabled = await scim.call('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    });
    expect(disabled.statusCode, disabled.body).toBe(200);
    expect(disabled.json<Json>()['active']).toBe(false);
    expect((await call(s, 'GET', `/v1.0/users/${id}`, await s.admin())).json<Json>()['accountEnabled']).toBe(
      false,
    );

    const gone = await scim.call('DELETE', `/Users/${id}`);
    expect(gone.statusCode, gone.body).toBe(204);
    expectScimError(await scim.call('GET', `/Users/${id}`), 404);
    expect((await call(s, 'GET', `/v1.0/users/${id}`, await s.admin())).statusCode).toBe(404);
  });
});

describe('Okta provisioning a user', () => {
  it('creates, replaces with PUT, deactivates with a path-less replace, reactivates', async () => {
    const { password: _none, ...body } = oktaUser('john.smith@okta.test');
    const created = await scim.call('POST', '/Users', body);
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json<Json>()['id'] as string;

    const put = await scim.call('PUT', `/Users/${id}`, {
      ...body,
      id,
      name: { givenName: 'Johnny', familyName: 'Smith' },
      displayName: 'Johnny Smith',
      title: 'Engineer',
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({
      displayName: 'Johnny Smith',
      title: 'Engineer',
      name: { givenName: 'Johnny' },
    });

    const off = await scim.call('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { active: false } }],
    });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json<Json>()['active']).toBe(false);

    const on = await scim.call('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { active: true } }],
    });
    expect(on.json<Json>()['active']).toBe(true);
    expect(on.json<Json>()['displayName']).toBe('Johnny Smith');
  });

  it('pages with startIndex and count (Okta tests the connection with count=2)', async () => {
    for (const n of [1, 2, 3]) {
      const res = await scim.call('POST', '/Users', {
        schemas: [USER_SCHEMA],
        userName: `page${n}@okta.test`,
      });
      expect(res.statusCode, res.body).toBe(201);
    }
    const page = await scim.call(
      'GET',
      `/Users?startIndex=2&count=2${'&'}${q('userName sw "page"').slice(1)}`,
    );
    expect(page.statusCode, page.body).toBe(200);
    const body = page.json<Json>();
    expect(body).toMatchObject({ totalResults: 3, startIndex: 2, itemsPerPage: 2 });
    expect((body['Resources'] as Json[]).map((r) => r['userName'])).toEqual([
      'page2@okta.test',
      'page3@okta.test',
    ]);
  });

  it('answers attributes and excludedAttributes', async () => {
    const res = await scim.call(
      'GET',
      `/Users?attributes=userName&${q('userName eq "page1@okta.test"').slice(1)}`,
    );
    const [only] = res.json<{ Resources: Json[] }>().Resources;
    expect(Object.keys(only!).sort()).toEqual(['id', 'meta', 'schemas', 'userName']);
    const excluded = await scim.call('GET', `/Users/${only!['id'] as string}?excludedAttributes=emails,name`);
    expect(excluded.json()).not.toHaveProperty('name');
    expect(excluded.json()).toHaveProperty('userName', 'page1@okta.test');
  });
});

describe('ownership and uniqueness', () => {
  it('answers 409 uniqueness for a userName taken (whoever holds it), and changes nothing', async () => {
    const first = await scim.call('POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName: 'taken@contoso.test',
    });
    expect(first.statusCode).toBe(201);
    expectScimError(
      await scim.call('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'TAKEN@contoso.test' }),
      409,
      'uniqueness',
    );
    // The bootstrap administrator is not the client's, yet holds its name.
    expectScimError(
      await scim.call('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'admin@contoso.test' }),
      409,
      'uniqueness',
    );
  });

  it('shows a client only its own users: another client and Graph-made users answer 404', async () => {
    const other = await scimClient(s, 'Okta');
    const mine = await scim.call('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'mine@contoso.test' });
    const id = mine.json<Json>()['id'] as string;
    expectScimError(await other.call('GET', `/Users/${id}`), 404);
    expectScimError(await other.call('DELETE', `/Users/${id}`), 404);
    expect((await other.call('GET', '/Users')).json<Json>()['totalResults']).toBe(0);
    expectScimError(await scim.call('GET', `/Users/${s.boot.admin.id}`), 404);
    expectScimError(
      await scim.call('PATCH', `/Users/${s.boot.admin.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', value: { active: false } }],
      }),
      404,
    );
    expect(
      (await call(s, 'GET', `/v1.0/users/${s.boot.admin.id}`, await s.admin())).json<Json>()[
        'accountEnabled'
      ],
    ).toBe(true);
  });
});

describe('content types', () => {
  it('takes application/scim+json with a charset and plain application/json, and answers application/scim+json', async () => {
    for (const [n, contentType] of [
      [1, 'application/scim+json; charset=utf-8'],
      [2, 'application/json'],
    ] as const) {
      const res = await s.app.inject({
        method: 'POST',
        url: '/scim/v2/Users',
        headers: { authorization: `Bearer ${scim.token}`, 'content-type': contentType },
        payload: JSON.stringify({ schemas: [USER_SCHEMA], userName: `typed${n}@contoso.test` }),
      });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.headers['content-type']).toBe('application/scim+json; charset=utf-8');
    }
  });

  it('serves discovery: ServiceProviderConfig, Schemas and ResourceTypes', async () => {
    const config = await scim.call('GET', '/ServiceProviderConfig');
    expect(config.json()).toMatchObject({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
      patch: { supported: true },
      bulk: { supported: false },
      filter: { supported: true, maxResults: 1000 },
    });
    const schemas = await scim.call('GET', '/Schemas');
    expect(schemas.json<{ Resources: Json[] }>().Resources.map((r) => r['id'])).toEqual([
      USER_SCHEMA,
      'urn:ietf:params:scim:schemas:core:2.0:Group',
    ]);
    const user = await scim.call('GET', `/Schemas/${USER_SCHEMA}`);
    expect(user.json<Json>()['name']).toBe('User');
    const types = await scim.call('GET', '/ResourceTypes');
    expect(types.json<{ totalResults: number }>().totalResults).toBe(2);
    expect((await scim.call('GET', '/ResourceTypes/Group')).json<Json>()['endpoint']).toBe('/Groups');
  });
});
