import type { Requirement } from '../authorization/requirement.js';
import * as R from '../roles/built-in-roles.js';

/**
 * Who manages decision hooks: role administrators, as for role settings (a hook decides tickets
 * and approvals of privileged roles), and their read-only peers read them.
 */
export const DECISION_HOOK_RULES = {
  write: {
    appPermissions: ['RoleManagement.ReadWrite.Directory'],
    roles: [R.GLOBAL_ADMINISTRATOR, R.PRIVILEGED_ROLE_ADMINISTRATOR],
  },
  read: {
    appPermissions: ['RoleManagement.Read.Directory'],
    roles: [R.GLOBAL_ADMINISTRATOR, R.PRIVILEGED_ROLE_ADMINISTRATOR, R.GLOBAL_READER],
  },
} satisfies Record<string, Requirement>;
