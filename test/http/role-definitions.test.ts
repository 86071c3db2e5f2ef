import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_ROLES } from '../../src/domain/roles/built-in-roles.js';
import { testServer, type TestServer } from '../helpers/server.js';
import {
  AUDIT_TABLES,
  call,
  ctx,
  dbSnapshot,
  expectGraphError,
  GUID,
  UNKNOWN_ID,
  type Headers,
} from './support/graph.js';
import {
  assign,
  createCustomRole,
  createUser,
  customRoleBody,
  GLOBAL_ADMINISTRATOR,
  ROLES,
} from './support/fixtures.js';

const URL = `${ROLES}/roleDefinitions`;

describe('/v1.0/roleManagement/directory/roleDefinitions', () => {
  let s: TestServer;
  let h: Headers;
  beforeAll(async () => {
    s = await testServer();
    h = await s.admin();
  });
  afterAll(() => s.close());

  it('lists every built-in role exactly as the catalogue defines it, with id == templateId', async () => {
    const res = await call(s, 'GET', `${URL}?$top=999`, h);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body['@odata.context']).toBe(ctx('roleManagement/directory/roleDefinitions'));
    expect(body).not.toHaveProperty('@odata.nextLink');
    expect(body.value).toHaveLength(BUILT_IN_ROLES.length);
    const byId = new Map(body.value.map((r: { id: string }) => [r.id, r]));
    for (const role of BUILT_IN_ROLES) {
      expect(byId.get(role.id)).toStrictEqual({
        id: role.id,
        description: role.description,
        displayName: role.displayName,
        isBuiltIn: true,
        isEnabled: role.isEnabled,
        isPrivileged: role.isPrivileged,
        resourceScopes: ['/'],
        templateId: role.id,
        version: role.version,
        rolePermissions: role.rolePermissions.map((p) => ({
          allowedResourceActions: p.allowedResourceActions,
          condition: null,
          excludedResourceActions: p.excludedResourceActions,
        })),
      });
    }
  });

  it('reads one built-in role with the $entity context, GUIDs case-insensitively', async () => {
    const res = await call(s, 'GET', `${URL}/${GLOBAL_ADMINISTRATOR.toUpperCase()}`, h);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      '@odata.context': ctx('roleManagement/directory/roleDefinitions/$entity'),
      id: GLOBAL_ADMINISTRATOR,
      templateId: GLOBAL_ADMINISTRATOR,
      displayName: 'Global Administrator',
      isBuiltIn: true,
      isPrivileged: true,
    });
    expectGraphError(await call(s, 'GET', `${URL}/${UNKNOWN_ID}`, h), 404, 'Request_ResourceNotFound');
  });

  it('creates (201), updates (204) and deletes (204) a custom role', async () => {
    const res = await call(s, 'POST', URL, h, {
      displayName: 'Helpdesk light',
      description: 'Resets names',
      isEnabled: true,
      rolePermissions: [{ allowedResourceActions: ['microsoft.directory/users/basic/update'] }],
    });
    expect(res.statusCode).toBe(201);
    const role = res.json();
    expect(role).toStrictEqual({
      '@odata.context': ctx('roleManagement/directory/roleDefinitions/$entity'),
      id: expect.stringMatching(GUID),
      description: 'Resets names',
      displayName: 'Helpdesk light',
      isBuiltIn: false,
      isEnabled: true,
      isPrivileged: false,
      resourceScopes: ['/'],
      templateId: role.id,
      version: '1',
      rolePermissions: [
        {
          allowedResourceActions: ['microsoft.directory/users/basic/update'],
          condition: null,
          excludedResourceActions: [],
        },
      ],
    });
    expect((await call(s, 'GET', `${URL}/${role.id}`, h)).json()).toStrictEqual(role);

    const patch = await call(s, 'PATCH', `${URL}/${role.id}`, h, {
      displayName: 'Renamed',
      isEnabled: false,
    });
    expect(patch.statusCode).toBe(204);
    expect(patch.body).toBe('');
    expect((await call(s, 'GET', `${URL}/${role.id}`, h)).json()).toStrictEqual({
      ...role,
      displayName: 'Renamed',
      isEnabled: false,
    });

    const del = await call(s, 'DELETE', `${URL}/${role.id}`, h);
    expect(del.statusCode).toBe(204);
    expectGraphError(await call(s, 'GET', `${URL}/${role.id}`, h), 404, 'Request_ResourceNotFound');
    expectGraphError(await call(s, 'DELETE', `${URL}/${role.id}`, h), 404, 'Request_ResourceNotFound');
  });

  it('keeps a given templateId on a custom role', async () => {
    const templateId = 'ABCDEF01-2345-4678-9abc-def012345678';
    const role = await createCustomRole(s, h, { templateId });
    expect(role.templateId).toBe(templateId.toLowerCase());
    expect(role.id).not.toBe(role.templateId);
  });

  // BUG (src/app/roles/role-definitions.ts, create): a custom role may claim a built-in role's
  // templateId, so `$filter=templateId eq '<Global Administrator>'` then finds two roles and a
  // script that picks the first can assign the wrong one. Entra keeps template ids unique.
  it("refuses a custom role that claims a built-in role's templateId", async () => {
    const res = await call(
      s,
      'POST',
      URL,
      h,
      customRoleBody({ displayName: 'Fake GA', templateId: GLOBAL_ADMINISTRATOR }),
    );
    expect(res.statusCode, res.body).toBe(400);
    const filter = encodeURIComponent(`templateId eq '${GLOBAL_ADMINISTRATOR}'`);
    expect((await call(s, 'GET', `${URL}?$filter=${filter}`, h)).json().value).toHaveLength(1);
  });

  it('refuses to change or delete built-in roles (400) and leaves them untouched', async () => {
    const before = await dbSnapshot(s, AUDIT_TABLES);
    const patch = await call(s, 'PATCH', `${URL}/${GLOBAL_ADMINISTRATOR}`, h, { displayName: 'Mine now' });
    expectGraphError(patch, 400, 'Request_BadRequest', 'Built-in role definitions cannot be modified.');
    const del = await call(s, 'DELETE', `${URL}/${GLOBAL_ADMINISTRATOR}`, h);
    expectGraphError(del, 400, 'Request_BadRequest', 'Built-in role definitions cannot be deleted.');
    expect(await dbSnapshot(s, AUDIT_TABLES)).toStrictEqual(before);
  });

  it('refuses to delete a custom role that is still assigned', async () => {
    const role = await createCustomRole(s, h);
    const user = await createUser(s, h);
    await assign(s, h, user.id, role.id);
    const del = await call(s, 'DELETE', `${URL}/${role.id}`, h);
    expectGraphError(
      del,
      400,
      'Request_BadRequest',
      'The role definition is still assigned; remove its assignments first.',
    );
    expect((await call(s, 'GET', `${URL}/${role.id}`, h)).statusCode).toBe(200);
  });

  it('rejects custom roles whose permissions are not directory actions', async () => {
    const res = await call(
      s,
      'POST',
      URL,
      h,
      customRoleBody({
        rolePermissions: [{ allowedResourceActions: ['microsoft.azure/everything/allTasks'] }],
      }),
    );
    expectGraphError(res, 400, 'invalidRequest', /is not a directory action/, {
      target: 'rolePermissions[0].allowedResourceActions[0]',
    });
    const withCondition = await call(
      s,
      'POST',
      URL,
      h,
      customRoleBody({
        rolePermissions: [
          {
            allowedResourceActions: ['microsoft.directory/users/basic/update'],
            condition: '@Resource.isOwner',
          },
        ],
      }),
    );
    expectGraphError(
      withCondition,
      400,
      'invalidRequest',
      'Conditions are not supported on custom roles; use null.',
      {
        target: 'rolePermissions[0].condition',
      },
    );
  });
});
