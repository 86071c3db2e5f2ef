import type { TestServer } from '../../helpers/server.js';
import type { Headers, Method } from './graph.js';
import {
  createCustomRole,
  createGroup,
  createServicePrincipal,
  createUser,
  customRoleBody,
  ROLES,
} from './fixtures.js';

export type FieldType = 'bool' | 'str' | 'nstr' | 'array' | 'object';

/** A JSON route, a body it accepts, and the JSON type of each field it knows. */
export interface BodyTarget {
  name: string;
  method: Method;
  url: string;
  /** A body the route accepts; every generator of the fuzz test breaks it in exactly one way. */
  valid: Record<string, unknown>;
  fields: Record<string, FieldType>;
}

const USER_ADMINISTRATOR = 'fe930be7-5e62-47db-91af-98c3a49a38b1';

/** Every directory and role route that takes a JSON body, over fresh objects to aim at. */
export async function bodyTargets(s: TestServer, h: Headers): Promise<BodyTarget[]> {
  const user = await createUser(s, h);
  const group = await createGroup(s, h);
  const sp = await createServicePrincipal(s, h);
  const role = await createCustomRole(s, h);
  const userFields: Record<string, FieldType> = {
    accountEnabled: 'bool',
    displayName: 'str',
    mailNickname: 'str',
    userPrincipalName: 'str',
    mail: 'nstr',
    givenName: 'nstr',
    surname: 'nstr',
    jobTitle: 'nstr',
    passwordProfile: 'object',
  };
  const roleFields: Record<string, FieldType> = {
    displayName: 'str',
    description: 'str',
    isEnabled: 'bool',
    rolePermissions: 'array',
    version: 'str',
  };
  return [
    {
      name: 'POST /users',
      method: 'POST',
      url: '/v1.0/users',
      valid: { accountEnabled: true, displayName: 'Fuzz', userPrincipalName: 'fuzz@contoso.test' },
      fields: userFields,
    },
    {
      name: 'PATCH /users/{id}',
      method: 'PATCH',
      url: `/v1.0/users/${user.id}`,
      valid: { jobTitle: 'Fuzzer' },
      fields: userFields,
    },
    {
      name: 'POST /groups',
      method: 'POST',
      url: '/v1.0/groups',
      valid: { displayName: 'Fuzz', mailNickname: 'fuzz', mailEnabled: false, securityEnabled: true },
      fields: {
        displayName: 'str',
        description: 'nstr',
        mailNickname: 'str',
        mailEnabled: 'bool',
        securityEnabled: 'bool',
        isAssignableToRole: 'bool',
        groupTypes: 'array',
      },
    },
    {
      name: 'PATCH /groups/{id}',
      method: 'PATCH',
      url: `/v1.0/groups/${group.id}`,
      valid: { displayName: 'Fuzz' },
      fields: { displayName: 'str', description: 'nstr', mailNickname: 'str' },
    },
    {
      name: 'POST /groups/{id}/members/$ref',
      method: 'POST',
      url: `/v1.0/groups/${group.id}/members/$ref`,
      valid: { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${user.id}` },
      fields: { '@odata.id': 'str' },
    },
    {
      name: 'POST /servicePrincipals',
      method: 'POST',
      url: '/v1.0/servicePrincipals',
      valid: { displayName: 'Fuzz' },
      fields: { displayName: 'str', appId: 'str', appPermissions: 'array' },
    },
    {
      name: 'PATCH /servicePrincipals/{id}',
      method: 'PATCH',
      url: `/v1.0/servicePrincipals/${sp.id}`,
      valid: { displayName: 'Fuzz' },
      fields: { displayName: 'str', accountEnabled: 'bool', appPermissions: 'array' },
    },
    {
      name: 'POST addPassword',
      method: 'POST',
      url: `/v1.0/servicePrincipals/${sp.id}/addPassword`,
      valid: { passwordCredential: { displayName: 'fuzz' } },
      fields: { passwordCredential: 'object' },
    },
    {
      name: 'POST removePassword',
      method: 'POST',
      url: `/v1.0/servicePrincipals/${sp.id}/removePassword`,
      valid: { keyId: '00000000-0000-4000-8000-000000000000' },
      fields: { keyId: 'str' },
    },
    {
      name: 'POST roleDefinitions',
      method: 'POST',
      url: `${ROLES}/roleDefinitions`,
      valid: customRoleBody({ displayName: 'Fuzz' }),
      fields: { ...roleFields, templateId: 'str' },
    },
    {
      name: 'PATCH roleDefinitions/{id}',
      method: 'PATCH',
      url: `${ROLES}/roleDefinitions/${role.id}`,
      valid: { displayName: 'Fuzz' },
      fields: roleFields,
    },
    {
      name: 'POST roleAssignments',
      method: 'POST',
      url: `${ROLES}/roleAssignments`,
      valid: { principalId: user.id, roleDefinitionId: USER_ADMINISTRATOR, directoryScopeId: '/' },
      fields: {
        '@odata.type': 'str',
        principalId: 'str',
        roleDefinitionId: 'str',
        directoryScopeId: 'str',
        appScopeId: 'nstr',
      },
    },
  ];
}
