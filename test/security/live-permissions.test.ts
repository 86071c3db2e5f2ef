// Regression tests for the security review: what a token may do is decided by live state at each
// request, never by what the token says it was allowed when it was issued.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GLOBAL_ADMINISTRATOR, USER_ADMINISTRATOR } from '../../src/domain/roles/built-in-roles.js';
import { testServer, type TestServer } from '../helpers/server.js';

const json = (authorization: string) => ({ authorization, 'content-type': 'application/json' });

describe('live application permissions', () => {
  let s: TestServer;
  beforeEach(async () => {
    s = await testServer();
  });
  afterEach(() => s.close());

  const eligibility = (principalId: string) => ({
    action: 'adminAssign',
    principalId,
    roleDefinitionId: GLOBAL_ADMINISTRATOR,
    directoryScopeId: '/',
    justification: 'standing in',
    scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P30D' } },
  });

  it('a removed permission fails on the very next request of an already-issued token, and cannot be restored by it', async () => {
    const permissions = ['RoleManagement.ReadWrite.Directory', 'Application.ReadWrite.All'];
    const app = await s.appWith(permissions);
    const admin = await s.admin();

    // The token works while the permissions are held.
    const before = await s.app.inject({
      method: 'POST',
      url: '/v1.0/roleManagement/directory/roleEligibilityScheduleRequests',
      headers: json(app.authorization),
      payload: eligibility(s.boot.admin.id),
    });
    expect(before.statusCode, before.body).toBe(201);

    const revoke = await s.app.inject({
      method: 'PATCH',
      url: `/v1.0/servicePrincipals/${app.servicePrincipalId}`,
      headers: json(admin.authorization),
      payload: { appPermissions: [] },
    });
    expect(revoke.statusCode, revoke.body).toBe(204);

    // Same token, next request: refused.
    const after = await s.app.inject({
      method: 'POST',
      url: '/v1.0/roleManagement/directory/roleAssignmentScheduleRequests',
      headers: json(app.authorization),
      payload: { ...eligibility(s.boot.admin.id), roleDefinitionId: USER_ADMINISTRATOR },
    });
    expect(after.statusCode, after.body).toBe(403);
    expect(after.json().error.code).toBe('Authorization_RequestDenied');

    // Nor can it give itself the permissions back.
    const restore = await s.app.inject({
      method: 'PATCH',
      url: `/v1.0/servicePrincipals/${app.servicePrincipalId}`,
      headers: json(app.authorization),
      payload: { appPermissions: permissions },
    });
    expect(restore.statusCode, restore.body).toBe(403);
    const sp = await s.app.inject({
      method: 'GET',
      url: `/v1.0/servicePrincipals/${app.servicePrincipalId}`,
      headers: admin,
    });
    expect(sp.json().appPermissions).toEqual([]);
  });

  it('a permission granted later needs a new token: the old one keeps only what it was issued for', async () => {
    const app = await s.appWith([]);
    const admin = await s.admin();
    const read = (authorization: string) =>
      s.app.inject({ method: 'GET', url: '/v1.0/users', headers: { authorization } });
    expect((await read(app.authorization)).statusCode).toBe(403);
    const grant = await s.app.inject({
      method: 'PATCH',
      url: `/v1.0/servicePrincipals/${app.servicePrincipalId}`,
      headers: json(admin.authorization),
      payload: { appPermissions: ['User.Read.All'] },
    });
    expect(grant.statusCode, grant.body).toBe(204);
    expect((await read(app.authorization)).statusCode).toBe(403);
  });
});

describe('AuthZEN and disabled accounts', () => {
  let s: TestServer;
  beforeEach(async () => {
    s = await testServer();
  });
  afterEach(() => s.close());

  it('a disabled user holds nothing, even with an active role', async () => {
    const admin = await s.admin();
    const pdp = await s.appWith(['Elevate.AccessEvaluation']);
    const user = await s.app.inject({
      method: 'POST',
      url: '/v1.0/users',
      headers: json(admin.authorization),
      payload: {
        accountEnabled: true,
        displayName: 'Dana Scully',
        userPrincipalName: 'dana@contoso.test',
        passwordProfile: {
          password: 'correct horse battery staple 42',
          forceChangePasswordNextSignIn: false,
        },
      },
    });
    expect(user.statusCode, user.body).toBe(201);
    const userId = user.json<{ id: string }>().id;
    const assigned = await s.app.inject({
      method: 'POST',
      url: '/v1.0/roleManagement/directory/roleAssignments',
      headers: json(admin.authorization),
      payload: { principalId: userId, roleDefinitionId: USER_ADMINISTRATOR, directoryScopeId: '/' },
    });
    expect(assigned.statusCode, assigned.body).toBe(201);
    const ask = () =>
      s.app.inject({
        method: 'POST',
        url: '/access/v1/evaluation',
        headers: json(pdp.authorization),
        payload: {
          subject: { type: 'user', id: userId },
          action: { name: 'hold' },
          resource: { type: 'role', id: USER_ADMINISTRATOR, properties: { directoryScopeId: '/' } },
        },
      });
    expect((await ask()).json()).toMatchObject({ decision: true });

    const disable = await s.app.inject({
      method: 'PATCH',
      url: `/v1.0/users/${userId}`,
      headers: json(admin.authorization),
      payload: { accountEnabled: false },
    });
    expect(disable.statusCode, disable.body).toBe(204);
    expect((await ask()).json()).toEqual({ decision: false, context: { reason: 'subject_disabled' } });
  });
});
