import type { Requirement } from '../authorization/requirement.js';
import { DIRECTORY_RULES } from '../directory/permissions.js';
import { PIM_RULES } from '../pim/permissions.js';
import type { ScheduleKind } from '../pim/types.js';
import * as R from '../roles/built-in-roles.js';

/**
 * Who registers resources and defines resource roles: role administrators (a scope and a role
 * definition decide what a grant reaches), and their read-only peers read them.
 */
export const RESOURCE_RULES = {
  write: {
    appPermissions: ['RoleManagement.ReadWrite.Directory'],
    roles: [R.GLOBAL_ADMINISTRATOR, R.PRIVILEGED_ROLE_ADMINISTRATOR],
  },
  read: DIRECTORY_RULES.readRoles,
} satisfies Record<string, Requirement>;

/**
 * PIM of resource roles: administered by the PIM administrators, as directory roles are (ADR
 * 0029: Elevate's own roles govern it, not Owner/User Access Administrator at the scope).
 */
export const PIM_RESOURCE_RULES: Record<'write' | 'read', Record<ScheduleKind, Requirement>> = PIM_RULES;
