import type { Requirement } from '../authorization/requirement.js';
import * as R from '../roles/built-in-roles.js';

/**
 * Who configures notification channels and reads the delivery log: role administrators, as for
 * role settings (a channel decides who learns about privileged access), and their read-only peers.
 */
export const NOTIFICATION_RULES = {
  write: {
    appPermissions: ['RoleManagement.ReadWrite.Directory'],
    roles: [R.GLOBAL_ADMINISTRATOR, R.PRIVILEGED_ROLE_ADMINISTRATOR],
  },
  read: {
    appPermissions: ['RoleManagement.Read.Directory'],
    roles: [R.GLOBAL_ADMINISTRATOR, R.PRIVILEGED_ROLE_ADMINISTRATOR, R.GLOBAL_READER],
  },
} satisfies Record<string, Requirement>;
