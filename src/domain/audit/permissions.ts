import * as R from '../roles/built-in-roles.js';
import type { Requirement } from '../authorization/requirement.js';

/** Who may read the audit log and its verification, as for Entra's directory audit reports. */
export const AUDIT_RULES = {
  read: {
    appPermissions: ['AuditLog.Read.All'],
    roles: [
      R.GLOBAL_ADMINISTRATOR,
      R.SECURITY_ADMINISTRATOR,
      R.SECURITY_READER,
      R.GLOBAL_READER,
      R.REPORTS_READER,
    ],
  },
} satisfies Record<string, Requirement>;
