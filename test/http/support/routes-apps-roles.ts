import { call, UNKNOWN_ID } from './graph.js';
import {
  assign,
  createCustomRole,
  createServicePrincipal,
  createUser,
  customRoleBody,
  GLOBAL_ADMINISTRATOR,
  ROLES,
} from './fixtures.js';
import { USER_ADMINISTRATOR, type Env, type Route } from './permission-routes.js';

/** `/servicePrincipals` and `/roleManagement/directory/*`, for the permission table test. */
export function appAndRoleRoutes(env: Env): Route[] {
  return [
    {
      method: 'GET',
      path: '/servicePrincipals',
      allow: 'Application.Read.All',
      status: 200,
      own: async () => ({ url: '/v1.0/servicePrincipals' }),
    },
    {
      method: 'POST',
      path: '/servicePrincipals',
      allow: 'Application.ReadWrite.All',
      readOnly: 'Application.Read.All',
      status: 201,
      own: async () => ({ url: '/v1.0/servicePrincipals', body: { displayName: 'P' } }),
    },
    {
      method: 'GET',
      path: '/servicePrincipals/{id}',
      allow: 'Application.Read.All',
      status: 200,
      own: async () => ({ url: `/v1.0/servicePrincipals/${env.s.boot.app.servicePrincipalId}` }),
      foreign: (o) => ({ url: `/v1.0/servicePrincipals/${o.servicePrincipalId}` }),
      unknown: () => ({ url: `/v1.0/servicePrincipals/${UNKNOWN_ID}` }),
    },
    {
      method: 'PATCH',
      path: '/servicePrincipals/{id}',
      allow: 'Application.ReadWrite.All',
      readOnly: 'Application.Read.All',
      status: 204,
      own: async () => ({
        url: `/v1.0/servicePrincipals/${(await createServicePrincipal(env.s, env.admin)).id}`,
        body: { displayName: 'x' },
      }),
      foreign: (o) => ({
        url: `/v1.0/servicePrincipals/${o.servicePrincipalId}`,
        body: { displayName: 'x' },
      }),
      unknown: () => ({ url: `/v1.0/servicePrincipals/${UNKNOWN_ID}`, body: { displayName: 'x' } }),
    },
    {
      method: 'DELETE',
      path: '/servicePrincipals/{id}',
      allow: 'Application.ReadWrite.All',
      readOnly: 'Application.Read.All',
      status: 204,
      own: async () => ({
        url: `/v1.0/servicePrincipals/${(await createServicePrincipal(env.s, env.admin)).id}`,
      }),
      foreign: (o) => ({ url: `/v1.0/servicePrincipals/${o.servicePrincipalId}` }),
      unknown: () => ({ url: `/v1.0/servicePrincipals/${UNKNOWN_ID}` }),
    },
    {
      method: 'POST',
      path: '/servicePrincipals/{id}/addPassword',
      allow: 'Application.ReadWrite.All',
      readOnly: 'Application.Read.All',
      status: 200,
      own: async () => ({
        url: `/v1.0/servicePrincipals/${(await createServicePrincipal(env.s, env.admin)).id}/addPassword`,
        body: {},
      }),
      foreign: (o) => ({ url: `/v1.0/servicePrincipals/${o.servicePrincipalId}/addPassword`, body: {} }),
      unknown: () => ({ url: `/v1.0/servicePrincipals/${UNKNOWN_ID}/addPassword`, body: {} }),
    },
    {
      method: 'POST',
      path: '/servicePrincipals/{id}/removePassword',
      allow: 'Application.ReadWrite.All',
      readOnly: 'Application.Read.All',
      status: 204,
      own: async () => {
        const sp = await createServicePrincipal(env.s, env.admin);
        const pw = await call(env.s, 'POST', `/v1.0/servicePrincipals/${sp.id}/addPassword`, env.admin, {});
        return { url: `/v1.0/servicePrincipals/${sp.id}/removePassword`, body: { keyId: pw.json().keyId } };
      },
      foreign: (o) => ({
        url: `/v1.0/servicePrincipals/${o.servicePrincipalId}/removePassword`,
        body: { keyId: UNKNOWN_ID },
      }),
      unknown: () => ({
        url: `/v1.0/servicePrincipals/${UNKNOWN_ID}/removePassword`,
        body: { keyId: UNKNOWN_ID },
      }),
    },
    {
      method: 'GET',
      path: '/roleDefinitions',
      allow: 'RoleManagement.Read.Directory',
      status: 200,
      own: async () => ({ url: `${ROLES}/roleDefinitions` }),
    },
    {
      method: 'GET',
      path: '/roleDefinitions/{id}',
      allow: 'RoleManagement.Read.Directory',
      status: 200,
      own: async () => ({ url: `${ROLES}/roleDefinitions/${GLOBAL_ADMINISTRATOR}` }),
      foreign: (o) => ({ url: `${ROLES}/roleDefinitions/${o.roleId}` }),
      unknown: () => ({ url: `${ROLES}/roleDefinitions/${UNKNOWN_ID}` }),
    },
    {
      method: 'POST',
      path: '/roleDefinitions',
      allow: 'RoleManagement.ReadWrite.Directory',
      readOnly: 'RoleManagement.Read.Directory',
      status: 201,
      own: async () => ({ url: `${ROLES}/roleDefinitions`, body: customRoleBody() }),
    },
    {
      method: 'PATCH',
      path: '/roleDefinitions/{id}',
      allow: 'RoleManagement.ReadWrite.Directory',
      readOnly: 'RoleManagement.Read.Directory',
      status: 204,
      own: async () => ({
        url: `${ROLES}/roleDefinitions/${(await createCustomRole(env.s, env.admin)).id}`,
        body: { displayName: 'x' },
      }),
      foreign: (o) => ({ url: `${ROLES}/roleDefinitions/${o.roleId}`, body: { displayName: 'x' } }),
      unknown: () => ({ url: `${ROLES}/roleDefinitions/${UNKNOWN_ID}`, body: { displayName: 'x' } }),
    },
    {
      method: 'DELETE',
      path: '/roleDefinitions/{id}',
      allow: 'RoleManagement.ReadWrite.Directory',
      readOnly: 'RoleManagement.Read.Directory',
      status: 204,
      own: async () => ({ url: `${ROLES}/roleDefinitions/${(await createCustomRole(env.s, env.admin)).id}` }),
      foreign: (o) => ({ url: `${ROLES}/roleDefinitions/${o.roleId}` }),
      unknown: () => ({ url: `${ROLES}/roleDefinitions/${UNKNOWN_ID}` }),
    },
    {
      method: 'GET',
      path: '/roleAssignments',
      allow: 'RoleManagement.Read.Directory',
      status: 200,
      own: async () => ({ url: `${ROLES}/roleAssignments` }),
    },
    {
      method: 'GET',
      path: '/roleAssignments/{id}',
      allow: 'RoleManagement.Read.Directory',
      status: 200,
      own: async () => {
        const user = await createUser(env.s, env.admin);
        return {
          url: `${ROLES}/roleAssignments/${(await assign(env.s, env.admin, user.id, USER_ADMINISTRATOR)).id}`,
        };
      },
      foreign: (o) => ({ url: `${ROLES}/roleAssignments/${o.assignmentId}` }),
      unknown: () => ({ url: `${ROLES}/roleAssignments/${UNKNOWN_ID}` }),
    },
    {
      method: 'POST',
      path: '/roleAssignments',
      allow: 'RoleManagement.ReadWrite.Directory',
      readOnly: 'RoleManagement.Read.Directory',
      status: 201,
      own: async () => ({
        url: `${ROLES}/roleAssignments`,
        body: { principalId: (await createUser(env.s, env.admin)).id, roleDefinitionId: USER_ADMINISTRATOR },
      }),
    },
    {
      method: 'DELETE',
      path: '/roleAssignments/{id}',
      allow: 'RoleManagement.ReadWrite.Directory',
      readOnly: 'RoleManagement.Read.Directory',
      status: 204,
      own: async () => {
        const user = await createUser(env.s, env.admin);
        return {
          url: `${ROLES}/roleAssignments/${(await assign(env.s, env.admin, user.id, USER_ADMINISTRATOR)).id}`,
        };
      },
      foreign: (o) => ({ url: `${ROLES}/roleAssignments/${o.assignmentId}` }),
      unknown: () => ({ url: `${ROLES}/roleAssignments/${UNKNOWN_ID}` }),
    },
  ];
}
