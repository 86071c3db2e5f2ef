import type { ScheduleKind } from './types.js';
import * as R from '../roles/built-in-roles.js';
import type { Requirement } from '../authorization/requirement.js';
import { DIRECTORY_RULES } from '../directory/permissions.js';

/** Users who administer PIM: an *active* Privileged Role Administrator or Global Administrator. */
export const PIM_ADMIN_ROLES: readonly string[] = [R.GLOBAL_ADMINISTRATOR, R.PRIVILEGED_ROLE_ADMINISTRATOR];

/**
 * Who may do what with PIM schedules, per kind, as Graph documents the permissions of
 * `roleEligibilityScheduleRequests` / `roleAssignmentScheduleRequests`. Self actions need none of
 * these: the caller must be the request's principal instead.
 */
export const PIM_RULES = {
  write: {
    eligibility: {
      appPermissions: ['RoleEligibilitySchedule.ReadWrite.Directory', 'RoleManagement.ReadWrite.Directory'],
      roles: PIM_ADMIN_ROLES,
    },
    assignment: {
      appPermissions: ['RoleAssignmentSchedule.ReadWrite.Directory', 'RoleManagement.ReadWrite.Directory'],
      roles: PIM_ADMIN_ROLES,
    },
  },
  /** Reading everyone's schedules; without it a caller sees only its own. */
  read: {
    eligibility: {
      appPermissions: [
        'RoleEligibilitySchedule.Read.Directory',
        'RoleManagement.Read.Directory',
        'Directory.Read.All',
      ],
      roles: DIRECTORY_RULES.readRoles.roles,
    },
    assignment: {
      appPermissions: [
        'RoleAssignmentSchedule.Read.Directory',
        'RoleManagement.Read.Directory',
        'Directory.Read.All',
      ],
      roles: DIRECTORY_RULES.readRoles.roles,
    },
  },
} satisfies Record<'write' | 'read', Record<ScheduleKind, Requirement>>;

/**
 * PIM for Groups (reference §4): administrators of group membership and ownership are Groups
 * Administrators as well as the PIM administrators; applications need the `…AzureADGroup`
 * permissions Graph documents for `privilegedAccess/group` (a `ReadWrite` one implies its `Read`).
 */
const PIM_GROUP_ADMIN_ROLES: readonly string[] = [...PIM_ADMIN_ROLES, R.GROUPS_ADMINISTRATOR];

export const PIM_GROUP_RULES = {
  write: {
    eligibility: {
      appPermissions: [
        'PrivilegedEligibilitySchedule.ReadWrite.AzureADGroup',
        'PrivilegedAccess.ReadWrite.AzureADGroup',
      ],
      roles: PIM_GROUP_ADMIN_ROLES,
    },
    assignment: {
      appPermissions: [
        'PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup',
        'PrivilegedAccess.ReadWrite.AzureADGroup',
      ],
      roles: PIM_GROUP_ADMIN_ROLES,
    },
  },
  read: {
    eligibility: {
      appPermissions: [
        'PrivilegedEligibilitySchedule.Read.AzureADGroup',
        'PrivilegedAccess.Read.AzureADGroup',
      ],
      roles: [...DIRECTORY_RULES.readRoles.roles, R.GROUPS_ADMINISTRATOR],
    },
    assignment: {
      appPermissions: [
        'PrivilegedAssignmentSchedule.Read.AzureADGroup',
        'PrivilegedAccess.Read.AzureADGroup',
      ],
      roles: [...DIRECTORY_RULES.readRoles.roles, R.GROUPS_ADMINISTRATOR],
    },
  },
} satisfies Record<'write' | 'read', Record<ScheduleKind, Requirement>>;

/**
 * A group's role settings (`scopeType: Group`): applications need Graph's
 * `RoleManagementPolicy.*.AzureADGroup` (or the directory policy permissions, which govern more),
 * users a PIM administrator role or Groups Administrator. A role-assignable group's settings
 * decide who comes to hold directory roles, so changing them needs a role administrator as well
 * (as for its schedules: {@link DIRECTORY_RULES.writeRoleAssignableGroups}).
 */
export const GROUP_POLICY_RULES = {
  read: {
    appPermissions: [
      'RoleManagementPolicy.Read.AzureADGroup',
      ...DIRECTORY_RULES.readPolicies.appPermissions,
    ],
    roles: [...DIRECTORY_RULES.readPolicies.roles, R.GROUPS_ADMINISTRATOR],
  },
  write: {
    appPermissions: [
      'RoleManagementPolicy.ReadWrite.AzureADGroup',
      ...DIRECTORY_RULES.writePolicies.appPermissions,
    ],
    roles: [...DIRECTORY_RULES.writePolicies.roles, R.GROUPS_ADMINISTRATOR],
  },
} satisfies Record<'write' | 'read', Requirement>;
