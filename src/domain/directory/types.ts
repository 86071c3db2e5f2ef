/** Directory objects in Graph vocabulary. Times are epoch ms. */
export type PrincipalType = 'user' | 'group' | 'servicePrincipal';

export interface Tenant {
  id: string;
  displayName: string;
  createdAt: number;
}

export interface User {
  id: string;
  tenantId: string;
  displayName: string;
  userPrincipalName: string;
  mail: string | null;
  givenName: string | null;
  surname: string | null;
  jobTitle: string | null;
  accountEnabled: boolean;
  passwordHash: string | null;
  passwordMustChange: boolean;
  createdAt: number;
  modifiedAt: number;
  version: number;
}

export interface Group {
  id: string;
  tenantId: string;
  displayName: string;
  description: string | null;
  mailNickname: string;
  mailEnabled: boolean;
  securityEnabled: boolean;
  isAssignableToRole: boolean;
  createdAt: number;
  modifiedAt: number;
  version: number;
}

export interface GroupMember {
  groupId: string;
  memberId: string;
  memberType: PrincipalType;
}

export interface ServicePrincipal {
  id: string;
  tenantId: string;
  appId: string;
  displayName: string;
  accountEnabled: boolean;
  /** Application permissions granted to this app, e.g. `RoleManagement.ReadWrite.Directory`. */
  appPermissions: string[];
  createdAt: number;
  modifiedAt: number;
  version: number;
}

export interface PasswordCredential {
  keyId: string;
  servicePrincipalId: string;
  displayName: string | null;
  hint: string;
  secretHash: string;
  startAt: number;
  endAt: number | null;
}

export interface RoleAssignment {
  id: string;
  tenantId: string;
  principalId: string;
  principalType: PrincipalType;
  roleDefinitionId: string;
  directoryScopeId: string;
  appScopeId: string | null;
  createdAt: number;
  createdBy: string | null;
}
