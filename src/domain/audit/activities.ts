import type { LoggedByService, OperationType } from './entry.js';

/** What an audited action is called: Entra's `activityDisplayName` and category, and Elevate's code. */
export interface AuditActivity {
  /** Stable machine code (`user.create`): the name SIEM rules and reports key on. */
  code: string;
  activityDisplayName: string;
  category: string;
  operationType: OperationType;
  loggedByService: LoggedByService;
}

const core = (
  code: string,
  activityDisplayName: string,
  category: string,
  operationType: OperationType,
): AuditActivity => ({
  code,
  activityDisplayName,
  category,
  operationType,
  loggedByService: 'Core Directory',
});

const pim = (
  code: string,
  activityDisplayName: string,
  category: string,
  operationType: OperationType,
): AuditActivity => ({
  code,
  activityDisplayName,
  category,
  operationType,
  loggedByService: 'Privileged Identity Management',
});

/**
 * Every activity Elevate audits. Display names and categories are Entra's, copied exactly from its
 * audit activity reference, so queries written for Entra (`activityDisplayName eq 'Add user'`)
 * work unchanged; codes never change once shipped.
 */
export const AUDIT_ACTIVITIES = {
  tenantCreate: core('tenant.create', 'Create company', 'DirectoryManagement', 'Add'),
  userCreate: core('user.create', 'Add user', 'UserManagement', 'Add'),
  userUpdate: core('user.update', 'Update user', 'UserManagement', 'Update'),
  userChangePassword: core('user.changePassword', 'Change user password', 'UserManagement', 'Update'),
  securityInfoRegister: core('authMethod.register', 'User registered security info', 'UserManagement', 'Add'),
  securityInfoDelete: core('authMethod.delete', 'User deleted security info', 'UserManagement', 'Delete'),
  recoveryCodeUse: core(
    'authMethod.recoveryCodeUse',
    'User signed in with a recovery code',
    'UserManagement',
    'Update',
  ),
  securityInfoReset: core('authMethod.reset', 'Admin deleted security info', 'UserManagement', 'Delete'),
  signInFailure: core('signIn.failure', 'Sign-in failure', 'UserManagement', 'Other'),
  /** A completed local sign-in (every step done), with the methods used in `amr`. */
  signInSuccess: core('signIn.success', 'Sign-in success', 'UserManagement', 'Other'),
  /** A sign-in through a trusted external issuer. */
  signInFederated: core(
    'signIn.federated',
    'Sign-in through external identity provider',
    'UserManagement',
    'Other',
  ),
  /** An external identity (issuer + subject) linked to a directory user. */
  externalIdentityLink: core('user.linkExternalIdentity', 'Update user', 'UserManagement', 'Update'),
  userDelete: core('user.delete', 'Delete user', 'UserManagement', 'Delete'),
  groupCreate: core('group.create', 'Add group', 'GroupManagement', 'Add'),
  groupUpdate: core('group.update', 'Update group', 'GroupManagement', 'Update'),
  groupDelete: core('group.delete', 'Delete group', 'GroupManagement', 'Delete'),
  groupAddMember: core('group.addMember', 'Add member to group', 'GroupManagement', 'Assign'),
  groupRemoveMember: core('group.removeMember', 'Remove member from group', 'GroupManagement', 'Unassign'),
  servicePrincipalCreate: core(
    'servicePrincipal.create',
    'Add service principal',
    'ApplicationManagement',
    'Add',
  ),
  servicePrincipalUpdate: core(
    'servicePrincipal.update',
    'Update service principal',
    'ApplicationManagement',
    'Update',
  ),
  servicePrincipalDelete: core(
    'servicePrincipal.delete',
    'Remove service principal',
    'ApplicationManagement',
    'Delete',
  ),
  servicePrincipalAddPassword: core(
    'servicePrincipal.addPassword',
    'Add service principal credentials',
    'ApplicationManagement',
    'Update',
  ),
  servicePrincipalRemovePassword: core(
    'servicePrincipal.removePassword',
    'Remove service principal credentials',
    'ApplicationManagement',
    'Update',
  ),
  roleDefinitionCreate: core('roleDefinition.create', 'Add role definition', 'RoleManagement', 'Add'),
  roleDefinitionUpdate: core('roleDefinition.update', 'Update role definition', 'RoleManagement', 'Update'),
  roleDefinitionDelete: core('roleDefinition.delete', 'Delete role definition', 'RoleManagement', 'Delete'),
  /** A direct (standing) assignment made without PIM; Entra's PIM logs it under this name. */
  roleAssignmentCreate: pim(
    'roleAssignment.create',
    'Add member to role outside of PIM (permanent)',
    'RoleManagement',
    'Assign',
  ),
  roleAssignmentDelete: pim(
    'roleAssignment.delete',
    'Remove permanent direct role assignment',
    'RoleManagement',
    'Unassign',
  ),
  /** Retention removed exported entries; a signed checkpoint anchors what remains. Elevate's own. */
  auditPrune: core('audit.prune', 'Prune audit log', 'Other', 'Delete'),
} as const satisfies Record<string, AuditActivity>;
