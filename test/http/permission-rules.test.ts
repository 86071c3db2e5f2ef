import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServer, type TestServer } from '../helpers/server.js';
import {
  AUDIT_TABLES,
  call,
  dbSnapshot,
  expectGraphError,
  UNKNOWN_ID,
  type Headers,
} from './support/graph.js';
import {
  assignStanding,
  createGroup,
  createServicePrincipal,
  createUser,
  GLOBAL_ADMINISTRATOR,
  otherTenantObjects,
  ROLES,
} from './support/fixtures.js';
import { appCache, ref, USER_ADMINISTRATOR, type Other } from './support/permission-routes.js';

let s: TestServer;
let admin: Headers;
let other: Other;
let appWith: ReturnType<typeof appCache>;

beforeAll(async () => {
  s = await testServer();
  admin = await s.admin();
  other = await otherTenantObjects(s);
  appWith = appCache(s);
});
afterAll(() => s.close());

describe('cross-tenant references in bodies', () => {
  it("adding another tenant's user to a group is 404, as for an unknown one", async () => {
    const g = await createGroup(s, admin);
    const res = await call(
      s,
      'POST',
      `/v1.0/groups/${g.id}/members/$ref`,
      await appWith('Group.ReadWrite.All'),
      ref(other.userId),
    );
    expectGraphError(res, 404, 'Request_ResourceNotFound');
  });

  it("assigning a role to another tenant's user is 400 SubjectNotFound, as for an unknown one", async () => {
    const headers = await appWith('RoleManagement.ReadWrite.Directory');
    const body = (principalId: string) => ({ principalId, roleDefinitionId: USER_ADMINISTRATOR });
    const foreign = await call(s, 'POST', `${ROLES}/roleAssignments`, headers, body(other.userId));
    const unknown = await call(s, 'POST', `${ROLES}/roleAssignments`, headers, body(UNKNOWN_ID));
    expectGraphError(foreign, 400, 'SubjectNotFound');
    expect(foreign.json().error.message).toBe(unknown.json().error.message);
  });

  it("assigning another tenant's custom role is 400 RoleNotFound", async () => {
    const headers = await appWith('RoleManagement.ReadWrite.Directory');
    const res = await call(s, 'POST', `${ROLES}/roleAssignments`, headers, {
      principalId: s.boot.admin.id,
      roleDefinitionId: other.roleId,
    });
    expectGraphError(res, 400, 'RoleNotFound');
  });

  it("lists show only the caller's tenant", async () => {
    const users = (await call(s, 'GET', '/v1.0/users?$top=999', admin)).json();
    expect(users.value.map((u: { id: string }) => u.id)).not.toContain(other.userId);
    const filter = encodeURIComponent(`principalId eq ${other.userId}`);
    const assignments = await call(s, 'GET', `${ROLES}/roleAssignments?$filter=${filter}`, admin);
    expect(assignments.json().value).toEqual([]);
  });
});

describe('special cases', () => {
  it('/me: 401 without a token, 400 for any application token', async () => {
    expectGraphError(await call(s, 'GET', '/v1.0/me'), 401, 'InvalidAuthenticationToken');
    expectGraphError(await call(s, 'GET', '/v1.0/me', await appWith()), 400, 'BadRequest');
  });

  it('Directory.Read.All reads users, groups, apps and roles but writes nothing', async () => {
    const headers = await appWith('Directory.Read.All');
    for (const url of [
      '/v1.0/users',
      '/v1.0/groups',
      '/v1.0/servicePrincipals',
      `${ROLES}/roleDefinitions`,
    ]) {
      expect((await call(s, 'GET', url, headers)).statusCode).toBe(200);
    }
    const res = await call(s, 'POST', '/v1.0/groups', headers, {
      displayName: 'P',
      mailNickname: 'p',
      mailEnabled: false,
      securityEnabled: true,
    });
    expectGraphError(res, 403, 'Authorization_RequestDenied');
  });

  it('role-assignable groups need RoleManagement.ReadWrite.Directory, not Group.ReadWrite.All', async () => {
    const create = {
      displayName: 'RA',
      mailNickname: 'ra',
      mailEnabled: false,
      securityEnabled: true,
      isAssignableToRole: true,
    };
    expectGraphError(
      await call(s, 'POST', '/v1.0/groups', await appWith('Group.ReadWrite.All'), create),
      403,
      'Authorization_RequestDenied',
    );
    const ra = await createGroup(s, admin, { isAssignableToRole: true });
    const groupWriter = await appWith('Group.ReadWrite.All');
    expectGraphError(
      await call(s, 'POST', `/v1.0/groups/${ra.id}/members/$ref`, groupWriter, ref(s.boot.admin.id)),
      403,
      'Authorization_RequestDenied',
    );
    expectGraphError(
      await call(s, 'DELETE', `/v1.0/groups/${ra.id}`, groupWriter),
      403,
      'Authorization_RequestDenied',
    );
    const roleWriter = await appWith('RoleManagement.ReadWrite.Directory');
    expect(
      (await call(s, 'POST', `/v1.0/groups/${ra.id}/members/$ref`, roleWriter, ref(s.boot.admin.id)))
        .statusCode,
    ).toBe(204);
  });
});

describe('privileged users', () => {
  // BUG (src/app/directory/users.ts, update): User.ReadWrite.All alone lets an app disable a Global
  // Administrator or set their password (account takeover). Graph refuses changes to sensitive
  // properties (accountEnabled, passwordProfile) of administrators unless the caller is at least as
  // privileged (app-only: Privileged Authentication Administrator role).
  it('an app with only User.ReadWrite.All may not disable a Global Administrator', async () => {
    const ga = await createUser(s, admin);
    await assignStanding(s, admin, ga.id, GLOBAL_ADMINISTRATOR);
    const res = await call(s, 'PATCH', `/v1.0/users/${ga.id}`, await appWith('User.ReadWrite.All'), {
      accountEnabled: false,
    });
    expectGraphError(res, 403, 'Authorization_RequestDenied');
  });

  it("an app with only User.ReadWrite.All may not reset a Global Administrator's password", async () => {
    const ga = await createUser(s, admin);
    await assignStanding(s, admin, ga.id, GLOBAL_ADMINISTRATOR);
    const res = await call(s, 'PATCH', `/v1.0/users/${ga.id}`, await appWith('User.ReadWrite.All'), {
      passwordProfile: { password: 'Attacker-Chosen-1', forceChangePasswordNextSignIn: false },
    });
    expectGraphError(res, 403, 'Authorization_RequestDenied');
  });

  it('an app that also manages roles may change an administrator; plain users stay open to user admins', async () => {
    const ga = await createUser(s, admin);
    await assignStanding(s, admin, ga.id, GLOBAL_ADMINISTRATOR);
    const strong = await appWith('User.ReadWrite.All', 'RoleManagement.ReadWrite.Directory');
    expect((await call(s, 'PATCH', `/v1.0/users/${ga.id}`, strong, { jobTitle: 'CISO' })).statusCode).toBe(
      204,
    );
    const plain = await createUser(s, admin);
    const weak = await appWith('User.ReadWrite.All');
    expect(
      (await call(s, 'PATCH', `/v1.0/users/${plain.id}`, weak, { accountEnabled: false })).statusCode,
    ).toBe(204);
  });
});

describe('no escalation through application permissions', () => {
  it('an app may grant only application permissions it holds itself (403 otherwise)', async () => {
    const granter = await appWith('Application.ReadWrite.All', 'AppRoleAssignment.ReadWrite.All');
    const before = await dbSnapshot(s, AUDIT_TABLES);
    const res = await call(s, 'POST', '/v1.0/servicePrincipals', granter, {
      displayName: 'escalate',
      appPermissions: ['User.ReadWrite.All'],
    });
    expectGraphError(
      res,
      403,
      'Authorization_RequestDenied',
      "The calling application does not hold 'User.ReadWrite.All' and so cannot grant it.",
    );
    expect(await dbSnapshot(s, AUDIT_TABLES)).toStrictEqual(before);

    // A privileged permission it holds needs RoleManagement.ReadWrite.Directory too (docs/security.md).
    const privileged = await call(s, 'POST', '/v1.0/servicePrincipals', granter, {
      displayName: 'peer',
      appPermissions: ['Application.ReadWrite.All'],
    });
    expect(privileged.statusCode).toBe(403);

    const ok = await call(s, 'POST', '/v1.0/servicePrincipals', granter, {
      displayName: 'peer',
      appPermissions: ['Application.Read.All'],
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().appPermissions).toEqual(['Application.Read.All']);
  });

  it('an app may not widen an existing app beyond its own permissions', async () => {
    const granter = await appWith('Application.ReadWrite.All', 'AppRoleAssignment.ReadWrite.All');
    const target = await createServicePrincipal(s, admin);
    const before = await dbSnapshot(s, AUDIT_TABLES);
    const res = await call(s, 'PATCH', `/v1.0/servicePrincipals/${target.id}`, granter, {
      appPermissions: ['RoleManagement.ReadWrite.Directory'],
    });
    expectGraphError(res, 403, 'Authorization_RequestDenied');
    expect(await dbSnapshot(s, AUDIT_TABLES)).toStrictEqual(before);
  });

  it('granting any permission needs AppRoleAssignment.ReadWrite.All besides Application.ReadWrite.All', async () => {
    const writer = await appWith('Application.ReadWrite.All');
    const res = await call(s, 'POST', '/v1.0/servicePrincipals', writer, {
      displayName: 'x',
      appPermissions: ['Application.ReadWrite.All'],
    });
    expectGraphError(res, 403, 'Authorization_RequestDenied');
  });
});
