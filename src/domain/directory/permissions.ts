import * as R from '../roles/built-in-roles.js';
import type { Requirement } from '../authorization/requirement.js';

/** Who may call what on the directory, following Entra's built-in roles and Graph permissions. */
export const DIRECTORY_RULES = {
  readUsers: {
    appPermissions: ['User.Read.All', 'Directory.Read.All'],
    roles: [
      R.GLOBAL_ADMINISTRATOR,
      R.GLOBAL_READER,
      R.USER_ADMINISTRATOR,
      R.PRIVILEGED_ROLE_ADMINISTRATOR,
      R.DIRECTORY_READERS,
      R.HELPDESK_ADMINISTRATOR,
      R.SECURITY_READER,
      R.SECURITY_ADMINISTRATOR,
      R.GROUPS_ADMINISTRATOR,
      R.IDENTITY_GOVERNANCE_ADMINISTRATOR,
    ],
  },
  writeUsers: {
    appPermissions: ['User.ReadWrite.All'],
    roles: [R.GLOBAL_ADMINISTRATOR, R.USER_ADMINISTRATOR],
  },
  /**
   * Changing, disabling, re-passwording or deleting someone who holds or may activate a privileged
   * role is an account takeover path, so it needs more than user administration (as in Entra).
   */
  writePrivilegedUsers: {
    appPermissions: ['RoleManagement.ReadWrite.Directory'],
    roles: [R.GLOBAL_ADMINISTRATOR, R.PRIVILEGED_AUTHENTICATION_ADMINISTRATOR],
  },
  readGroups: {
    appPermissions: ['Group.Read.All', 'Directory.Read.All'],
    roles: [
      R.GLOBAL_ADMINISTRATOR,
      R.GLOBAL_READER,
      R.GROUPS_ADMINISTRATOR,
      R.USER_ADMINISTRATOR,
      R.PRIVILEGED_ROLE_ADMINISTRATOR,
      R.DIRECTORY_READERS,
      R.SECURITY_READER,
      R.SECURITY_ADMINISTRATOR,
      R.IDENTITY_GOVERNANCE_ADMINISTRATOR,
    ],
  },
  writeGroups: {
    appPermissions: ['Group.ReadWrite.All', 'GroupMember.ReadWrite.All'],
    roles: [R.GLOBAL_ADMINISTRATOR, R.GROUPS_ADMINISTRATOR, R.USER_ADMINISTRATOR],
  },
  /** Role-assignable groups confer roles, so only role admins may create or change their members. */
  writeRoleAssignableGroups: {
    appPermissions: ['RoleManagement.ReadWrite.Directory'],
    roles: [R.GLOBAL_ADMINISTRATOR, R.PRIVILEGED_ROLE_ADMINISTRATOR],
  },
  readApps: {
    appPermissions: ['Application.Read.All', 'Directory.Read.All'],
    roles: [
      R.GLOBAL_ADMINISTRATOR,
      R.GLOBAL_READER,
      R.APPLICATION_ADMINISTRATOR,
      R.CLOUD_APPLICATION_ADMINISTRATOR,
      R.PRIVILEGED_ROLE_ADMINISTRATOR,
      R.DIRECTORY_READERS,
      R.SECURITY_READER,
      R.SECURITY_ADMINISTRATOR,
    ],
  },
  writeApps: {
    appPermissions: ['Application.ReadWrite.All'],
    roles: [R.GLOBAL_ADMINISTRATOR, R.APPLICATION_ADMINISTRATOR, R.CLOUD_APPLICATION_ADMINISTRATOR],
  },
  /** Granting application permissions is consent: Entra keeps it to these two roles. */
  grantAppPermissions: {
    appPermissions: ['AppRoleAssignment.ReadWrite.All'],
    roles: [R.GLOBAL_ADMINISTRATOR, R.PRIVILEGED_ROLE_ADMINISTRATOR],
  },
  /**
   * Changing a privileged application (one that holds a privileged application permission, or
   * holds or may activate a privileged role) — its credentials, permissions, state — or granting
   * a privileged permission to any application: whoever does it obtains those permissions, so it
   * needs a role administrator on top of application administration.
   */
  writePrivilegedApps: {
    appPermissions: ['RoleManagement.ReadWrite.Directory'],
    roles: [R.GLOBAL_ADMINISTRATOR, R.PRIVILEGED_ROLE_ADMINISTRATOR],
  },
  readRoles: {
    appPermissions: ['RoleManagement.Read.Directory', 'Directory.Read.All'],
    roles: [
      R.GLOBAL_ADMINISTRATOR,
      R.GLOBAL_READER,
      R.PRIVILEGED_ROLE_ADMINISTRATOR,
      R.SECURITY_READER,
      R.SECURITY_ADMINISTRATOR,
      R.DIRECTORY_READERS,
      R.IDENTITY_GOVERNANCE_ADMINISTRATOR,
    ],
  },
  writeRoles: {
    appPermissions: ['RoleManagement.ReadWrite.Directory'],
    roles: [R.GLOBAL_ADMINISTRATOR, R.PRIVILEGED_ROLE_ADMINISTRATOR],
  },
  /** Role settings (role management policies and their assignments), as Entra documents them. */
  readPolicies: {
    appPermissions: [
      'RoleManagementPolicy.Read.Directory',
      'RoleManagement.Read.Directory',
      'Directory.Read.All',
    ],
    roles: [
      R.GLOBAL_ADMINISTRATOR,
      R.PRIVILEGED_ROLE_ADMINISTRATOR,
      R.GLOBAL_READER,
      R.SECURITY_ADMINISTRATOR,
      R.SECURITY_READER,
    ],
  },
  /** Changing role settings weakens or strengthens every activation: role administrators only. */
  writePolicies: {
    appPermissions: ['RoleManagementPolicy.ReadWrite.Directory', 'RoleManagement.ReadWrite.Directory'],
    roles: [R.GLOBAL_ADMINISTRATOR, R.PRIVILEGED_ROLE_ADMINISTRATOR],
  },
} satisfies Record<string, Requirement>;
