import type { Requirement } from '../authorization/requirement.js';
import * as R from '../roles/built-in-roles.js';

/**
 * Who reads and manages PIM security alerts: as Entra documents it, Global Administrator,
 * Privileged Role Administrator and Security Administrator manage them; Global Reader and
 * Security Reader read them. Apps: `RoleManagementAlert.Read.Directory` / `ReadWrite.Directory`.
 */
export const ALERT_RULES = {
  read: {
    appPermissions: ['RoleManagementAlert.Read.Directory'],
    roles: [
      R.GLOBAL_ADMINISTRATOR,
      R.PRIVILEGED_ROLE_ADMINISTRATOR,
      R.SECURITY_ADMINISTRATOR,
      R.SECURITY_READER,
      R.GLOBAL_READER,
    ],
  },
  write: {
    appPermissions: ['RoleManagementAlert.ReadWrite.Directory'],
    roles: [R.GLOBAL_ADMINISTRATOR, R.PRIVILEGED_ROLE_ADMINISTRATOR, R.SECURITY_ADMINISTRATOR],
  },
} satisfies Record<string, Requirement>;
