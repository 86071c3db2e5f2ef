import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  allowPermanentActiveAssignment,
  createCustomRole,
  createGroup,
  createUser,
  GLOBAL_ADMINISTRATOR,
  ROLES,
} from './support/fixtures.js';

const URL = `${ROLES}/roleAssignments`;
const USER_ADMINISTRATOR = 'fe930be7-5e62-47db-91af-98c3a49a38b1';

/** A GUID from 16 bytes in .NET `Guid.ToByteArray()` order (first three groups little-endian). */
function guidFromDotNetBytes(b: Buffer): string {
  const hex = (from: number, to: number, reverse: boolean) => {
    const part = Buffer.from(b.subarray(from, to));
    return (reverse ? part.reverse() : part).toString('hex');
  };
  return [hex(0, 4, true), hex(4, 6, true), hex(6, 8, true), hex(8, 10, false), hex(10, 16, false)].join('-');
}

describe('/v1.0/roleManagement/directory/roleAssignments', () => {
  let s: TestServer;
  let h: Headers;
  beforeAll(async () => {
    s = await testServer();
    h = await s.admin();
  });
  afterAll(() => s.close());

  it('creates a tenant-wide assignment (201) whose id is Entra\'s "<base64url(role+principal)>-1"', async () => {
    const user = await createUser(s, h);
    const res = await call(s, 'POST', URL, h, {
      '@odata.type': '#microsoft.graph.unifiedRoleAssignment',
      principalId: user.id.toUpperCase(),
      roleDefinitionId: USER_ADMINISTRATOR,
      directoryScopeId: '/',
    });
    expect(res.statusCode).toBe(201);
    const a = res.json();
    expect(a).toStrictEqual({
      '@odata.context': ctx('roleManagement/directory/roleAssignments/$entity'),
      id: expect.stringMatching(/^[A-Za-z0-9_-]{43}-1$/),
      principalId: user.id,
      roleDefinitionId: USER_ADMINISTRATOR,
      directoryScopeId: '/',
      appScopeId: null,
    });
    const bytes = Buffer.from(a.id.slice(0, -2), 'base64url');
    expect(bytes).toHaveLength(32);
    expect(guidFromDotNetBytes(bytes.subarray(0, 16))).toBe(USER_ADMINISTRATOR);
    expect(guidFromDotNetBytes(bytes.subarray(16))).toBe(user.id);
    // The published prefix of every Global Administrator assignment id in Entra (a standing
    // assignment of it needs the role's settings to allow one first).
    await allowPermanentActiveAssignment(s, h, GLOBAL_ADMINISTRATOR);
    const ga = await call(s, 'POST', URL, h, {
      principalId: user.id,
      roleDefinitionId: GLOBAL_ADMINISTRATOR,
    });
    expect(ga.json().id.startsWith('lAPpYvVpN0KRkAEhdxReE')).toBe(true);
    expect(ga.json().directoryScopeId).toBe('/');
  });

  it('gets (200), lists by principalId, deletes (204), then answers 404', async () => {
    const user = await createUser(s, h);
    const a = (
      await call(s, 'POST', URL, h, { principalId: user.id, roleDefinitionId: USER_ADMINISTRATOR })
    ).json();
    const get = await call(s, 'GET', `${URL}/${a.id}`, h);
    expect(get.statusCode).toBe(200);
    expect(get.json()).toStrictEqual(a);

    const filter = encodeURIComponent(`principalId eq '${user.id}'`);
    const list = await call(s, 'GET', `${URL}?$filter=${filter}`, h);
    expect(list.statusCode).toBe(200);
    const { '@odata.context': _c, ...item } = a;
    expect(list.json()).toStrictEqual({
      '@odata.context': ctx('roleManagement/directory/roleAssignments'),
      value: [item],
    });
    const unquoted = await call(
      s,
      'GET',
      `${URL}?$filter=${encodeURIComponent(`principalId eq ${user.id}`)}`,
      h,
    );
    expect(unquoted.json().value).toStrictEqual([item]);

    const del = await call(s, 'DELETE', `${URL}/${a.id}`, h);
    expect(del.statusCode).toBe(204);
    expect(del.body).toBe('');
    expectGraphError(
      await call(s, 'GET', `${URL}/${a.id}`, h),
      404,
      'Request_ResourceNotFound',
      'The role assignment does not exist.',
    );
    expectGraphError(await call(s, 'DELETE', `${URL}/${a.id}`, h), 404, 'Request_ResourceNotFound');
    expect((await call(s, 'GET', `${URL}?$filter=${filter}`, h)).json().value).toEqual([]);
  });

  it("lists the bootstrap administrator's Global Administrator assignment", async () => {
    const filter = encodeURIComponent(
      `roleDefinitionId eq '${GLOBAL_ADMINISTRATOR}' and principalId eq '${s.boot.admin.id}'`,
    );
    const res = await call(s, 'GET', `${URL}?$filter=${filter}`, h);
    expect(res.json().value).toStrictEqual([
      {
        id: expect.stringMatching(/^lAPpYvVpN0KRkAEhdxReE[A-Za-z0-9_-]+-1$/),
        principalId: s.boot.admin.id,
        roleDefinitionId: GLOBAL_ADMINISTRATOR,
        directoryScopeId: '/',
        appScopeId: null,
      },
    ]);
  });

  it('refuses a duplicate with 400 RoleAssignmentExists and changes nothing', async () => {
    const user = await createUser(s, h);
    const body = { principalId: user.id, roleDefinitionId: USER_ADMINISTRATOR, directoryScopeId: '/' };
    expect((await call(s, 'POST', URL, h, body)).statusCode).toBe(201);
    const before = await dbSnapshot(s, AUDIT_TABLES);
    const dup = await call(s, 'POST', URL, h, { ...body, principalId: user.id.toUpperCase() });
    expectGraphError(dup, 400, 'RoleAssignmentExists', 'The Role assignment already exists.');
    expect(await dbSnapshot(s, AUDIT_TABLES)).toStrictEqual(before);
  });

  it('refuses a duplicate at an object scope too (plain GUID ids there)', async () => {
    const user = await createUser(s, h);
    const scope = await createUser(s, h);
    const body = {
      principalId: user.id,
      roleDefinitionId: USER_ADMINISTRATOR,
      directoryScopeId: `/${scope.id}`,
    };
    const first = await call(s, 'POST', URL, h, body);
    expect(first.statusCode).toBe(201);
    expect(first.json().id).toMatch(GUID);
    expect(first.json().directoryScopeId).toBe(`/${scope.id}`);
    expectGraphError(await call(s, 'POST', URL, h, body), 400, 'RoleAssignmentExists');
  });

  it('assigns roles only to role-assignable groups', async () => {
    const plain = await createGroup(s, h);
    const res = await call(s, 'POST', URL, h, {
      principalId: plain.id,
      roleDefinitionId: USER_ADMINISTRATOR,
    });
    expectGraphError(
      res,
      400,
      'Request_BadRequest',
      'Only role-assignable groups (isAssignableToRole) can hold roles.',
    );
    const assignable = await createGroup(s, h, { isAssignableToRole: true });
    const ok = await call(s, 'POST', URL, h, {
      principalId: assignable.id,
      roleDefinitionId: USER_ADMINISTRATOR,
    });
    expect(ok.statusCode).toBe(201);
  });

  it('answers 400 for an unknown role, an unknown principal and a bad scope', async () => {
    const user = await createUser(s, h);
    expectGraphError(
      await call(s, 'POST', URL, h, { principalId: user.id, roleDefinitionId: UNKNOWN_ID }),
      400,
      'RoleNotFound',
    );
    expectGraphError(
      await call(s, 'POST', URL, h, { principalId: UNKNOWN_ID, roleDefinitionId: USER_ADMINISTRATOR }),
      400,
      'SubjectNotFound',
    );
    expectGraphError(
      await call(s, 'POST', URL, h, {
        principalId: user.id,
        roleDefinitionId: USER_ADMINISTRATOR,
        directoryScopeId: '/../etc',
      }),
      400,
      'invalidRequest',
      /directoryScopeId/,
      { target: 'directoryScopeId' },
    );
    const disabled = await createCustomRole(s, h, { isEnabled: false });
    expectGraphError(
      await call(s, 'POST', URL, h, { principalId: user.id, roleDefinitionId: disabled.id }),
      400,
      'RoleNotFound',
    );
  });
});
