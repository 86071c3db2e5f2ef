import type { Requirement } from '../authorization/requirement.js';
import * as R from '../roles/built-in-roles.js';

/**
 * Who manages Shared Signals streams (ADR 0040): role administrators, or an application granted
 * `RoleManagement.ReadWrite.Directory` (a receiver registering its own stream with a
 * client-credentials token). A stream learns who loses which role, so reading one is a role
 * reader's right.
 */
export const SSF_RULES = {
  write: {
    appPermissions: ['RoleManagement.ReadWrite.Directory'],
    roles: [R.GLOBAL_ADMINISTRATOR, R.PRIVILEGED_ROLE_ADMINISTRATOR],
  },
  read: {
    appPermissions: ['RoleManagement.Read.Directory', 'RoleManagement.ReadWrite.Directory'],
    roles: [R.GLOBAL_ADMINISTRATOR, R.PRIVILEGED_ROLE_ADMINISTRATOR, R.GLOBAL_READER],
  },
} satisfies Record<string, Requirement>;
