import { expect } from 'vitest';
import { newId } from '../../../src/domain/shared/ids.js';
import { PUBLIC_URL, type TestServer } from '../../helpers/server.js';
import { call, type Headers } from './graph.js';

export const GLOBAL_ADMINISTRATOR = '62e90394-69f5-4237-9190-012177145e10';
export const ROLES = '/v1.0/roleManagement/directory';

const unique = () => newId().slice(0, 8);

type Json = Record<string, unknown>;

async function created(s: TestServer, headers: Headers, url: string, payload: Json): Promise<Json> {
  const res = await call(s, 'POST', url, headers, payload);
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

export const createUser = (s: TestServer, headers: Headers, body: Json = {}) =>
  created(s, headers, '/v1.0/users', {
    accountEnabled: true,
    displayName: 'Test User',
    userPrincipalName: `u${unique()}@contoso.test`,
    ...body,
  }) as Promise<Json & { id: string }>;

export const createGroup = (s: TestServer, headers: Headers, body: Json = {}) =>
  created(s, headers, '/v1.0/groups', {
    displayName: 'Test Group',
    mailNickname: `g${unique()}`,
    mailEnabled: false,
    securityEnabled: true,
    ...body,
  }) as Promise<Json & { id: string }>;

export const createServicePrincipal = (s: TestServer, headers: Headers, body: Json = {}) =>
  created(s, headers, '/v1.0/servicePrincipals', { displayName: 'Test App', ...body }) as Promise<
    Json & { id: string; appId: string }
  >;

export const customRoleBody = (body: Json = {}): Json => ({
  displayName: `Custom ${unique()}`,
  isEnabled: true,
  rolePermissions: [{ allowedResourceActions: ['microsoft.directory/users/basic/update'] }],
  ...body,
});

export const createCustomRole = (s: TestServer, headers: Headers, body: Json = {}) =>
  created(s, headers, `${ROLES}/roleDefinitions`, customRoleBody(body)) as Promise<Json & { id: string }>;

export const assign = (s: TestServer, headers: Headers, principalId: string, roleDefinitionId: string) =>
  created(s, headers, `${ROLES}/roleAssignments`, {
    principalId,
    roleDefinitionId,
    directoryScopeId: '/',
  }) as Promise<Json & { id: string }>;

/**
 * Turns off the role settings switch that forbids permanent active assignments (on by default for
 * Global Administrator and Privileged Role Administrator), through the API, so a test can give the
 * role as a standing direct assignment.
 */
export async function allowPermanentActiveAssignment(
  s: TestServer,
  headers: Headers,
  roleDefinitionId: string,
) {
  const filter = encodeURIComponent(
    `scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '${roleDefinitionId}'`,
  );
  const found = await call(
    s,
    'GET',
    `/v1.0/policies/roleManagementPolicyAssignments?$filter=${filter}`,
    headers,
  );
  expect(found.statusCode, found.body).toBe(200);
  const policyId = found.json<{ value: { policyId: string }[] }>().value[0]?.policyId;
  const res = await call(
    s,
    'PATCH',
    `/v1.0/policies/roleManagementPolicies/${policyId}/rules/Expiration_Admin_Assignment`,
    headers,
    {
      '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyExpirationRule',
      id: 'Expiration_Admin_Assignment',
      isExpirationRequired: false,
      maximumDuration: 'P180D',
      target: { caller: 'Admin', operations: ['all'], level: 'Assignment' },
    },
  );
  expect(res.statusCode, res.body).toBe(204);
}

/** A standing direct assignment of a role, even one whose settings forbid that by default. */
export async function assignStanding(
  s: TestServer,
  headers: Headers,
  principalId: string,
  roleDefinitionId: string,
) {
  await allowPermanentActiveAssignment(s, headers, roleDefinitionId);
  return assign(s, headers, principalId, roleDefinitionId);
}

/**
 * An access token from a tenant's own token endpoint (`s.appToken` always asks the first tenant's,
 * which refuses clients of other tenants).
 */
export async function tenantToken(s: TestServer, tenantId: string, clientId: string, clientSecret: string) {
  const res = await s.app.inject({
    method: 'POST',
    url: `/${tenantId}/oauth2/v2.0/token`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
      scope: `${PUBLIC_URL}/.default`,
    }).toString(),
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ access_token: string }>().access_token;
}

/** Another tenant in the same database, with objects of every kind and the admin's headers there. */
export async function otherTenantObjects(s: TestServer) {
  const other = await s.otherTenant();
  const token = await tenantToken(s, other.tenantId, other.app.clientId, other.app.clientSecret);
  const headers = { authorization: `Bearer ${token}` };
  const user = await createUser(s, headers);
  const group = await createGroup(s, headers);
  const role = await createCustomRole(s, headers);
  const assignment = await assign(s, headers, user.id, role.id);
  return {
    tenantId: other.tenantId,
    headers,
    userId: user.id,
    groupId: group.id,
    servicePrincipalId: other.app.servicePrincipalId,
    roleId: role.id,
    assignmentId: assignment.id,
  };
}
